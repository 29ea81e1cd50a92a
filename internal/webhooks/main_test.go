package webhooks

import (
	"os"
	"strings"
	"testing"

	"github.com/go-logr/logr"
	admissionv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/frrk8s/frrk8s/internal/testenv"
)

// TestMain starts an API server with the webhook registered as the
// manifests register it; envtest points it at a local URL and trusts its
// own serving certificate.
func TestMain(m *testing.M) {
	log.SetLogger(logr.Discard())
	os.Exit(testenv.Main(m, func(env *envtest.Environment) {
		env.WebhookInstallOptions.ValidatingWebhooks = []*admissionv1.ValidatingWebhookConfiguration{webhookConfiguration()}
	}))
}

// webhookConfiguration is the webhook registration the manifests install.
func webhookConfiguration() *admissionv1.ValidatingWebhookConfiguration {
	vwc := &admissionv1.ValidatingWebhookConfiguration{
		Webhooks: []admissionv1.ValidatingWebhook{{
			Name: Name,
			ClientConfig: admissionv1.WebhookClientConfig{Service: &admissionv1.ServiceReference{
				Namespace: ns,
				Name:      "frr-k8s-webhook-service",
				// envtest joins the path to "https://host:port/" itself.
				Path: ptr.To(strings.TrimPrefix(Path, "/")),
			}},
			Rules: []admissionv1.RuleWithOperations{{
				Operations: []admissionv1.OperationType{admissionv1.Create, admissionv1.Update},
				Rule: admissionv1.Rule{
					APIGroups:   []string{"frrk8s.metallb.io"},
					APIVersions: []string{"v1beta1"},
					Resources:   []string{"frrconfigurations"},
				},
			}},
			FailurePolicy:           ptr.To(admissionv1.Fail),
			SideEffects:             ptr.To(admissionv1.SideEffectClassNone),
			AdmissionReviewVersions: []string{"v1"},
		}},
	}
	vwc.Name = ConfigurationName
	return vwc
}

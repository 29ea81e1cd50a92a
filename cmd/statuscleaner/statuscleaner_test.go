package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"go.uber.org/zap/zapcore"
	admissionv1 "k8s.io/api/admission/v1"
	admissionregv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/e2eharness"
	"github.com/frrk8s/frrk8s/internal/logging"
	"github.com/frrk8s/frrk8s/internal/testenv"
	"github.com/frrk8s/frrk8s/internal/webhooks"
)

const testNamespace = "frr-k8s-system"

// pollTimeout bounds every wait; the rotator alone polls with backoffs of
// several seconds.
const pollTimeout = 90 * time.Second

func TestMain(m *testing.M) {
	log.SetLogger(logr.Discard())
	os.Exit(testenv.Main(m))
}

// eventually polls cond until it holds or pollTimeout passes.
func eventually(t *testing.T, what string, cond func(context.Context) (bool, error)) {
	t.Helper()
	if err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, pollTimeout, true, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// ensureNamespace creates the daemon namespace once.
func ensureNamespace(t *testing.T, c client.Client) {
	t.Helper()
	err := c.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: testNamespace}})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

// running is a statuscleaner started by a test.
type running struct {
	settings settings
	logger   *logging.Logger
}

// startStatuscleaner runs start as the administrator with the given flags
// until the test ends.
func startStatuscleaner(t *testing.T, env *testenv.Env, args ...string) *running {
	t.Helper()
	return startStatuscleanerAs(t, env.Config, args...)
}

// startStatuscleanerAs runs start with cfg's identity and the given flags
// until the test ends.
func startStatuscleanerAs(t *testing.T, cfg *rest.Config, args ...string) *running {
	t.Helper()
	s, err := parseParams(append([]string{"--namespace=" + testNamespace}, args...))
	if err != nil {
		t.Fatal(err)
	}
	s.skipNameValidation = true
	logger, err := logging.NewWithSink(s.LogLevel, zapcore.AddSync(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- start(ctx, cfg, s, logger) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("statuscleaner: %v", err)
		}
	})
	return &running{settings: s, logger: logger}
}

// httpsClient trusts ca and expects a certificate for serverName.
func httpsClient(ca []byte, serverName string) *http.Client {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	return &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: serverName, MinVersion: tls.VersionTLS12}},
	}
}

// url is an address on the webhook server.
func (r *running) url(path string) string {
	return "https://127.0.0.1:" + strconv.Itoa(r.settings.WebhookPort) + path
}

// checkHealth waits for /healthz to answer GET, then checks POST is refused.
func (r *running) checkHealth(t *testing.T, hc *http.Client) {
	t.Helper()
	eventually(t, "/healthz", func(context.Context) (bool, error) {
		resp, err := hc.Get(r.url(webhooks.HealthPath))
		if err != nil {
			return false, nil
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode == http.StatusOK && string(body) == `{"status": "ok"}` &&
			resp.Header.Get("Content-Type") == "application/json", nil
	})
	resp, err := hc.Post(r.url(webhooks.HealthPath), "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /healthz: status %d, want 405", resp.StatusCode)
	}
}

// review posts an AdmissionReview creating cfg to the webhook path.
func (r *running) review(hc *http.Client, cfg *v1beta1.FRRConfiguration) (*admissionv1.AdmissionResponse, error) {
	raw, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	review := admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request: &admissionv1.AdmissionRequest{
			UID:       types.UID("review-1"),
			Kind:      metav1.GroupVersionKind{Group: "frrk8s.metallb.io", Version: "v1beta1", Kind: "FRRConfiguration"},
			Resource:  metav1.GroupVersionResource{Group: "frrk8s.metallb.io", Version: "v1beta1", Resource: "frrconfigurations"},
			Name:      cfg.Name,
			Namespace: cfg.Namespace,
			Operation: admissionv1.Create,
			Object:    runtime.RawExtension{Raw: raw},
		},
	}
	body, err := json.Marshal(review)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Post(r.url(webhooks.Path), "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&review); err != nil {
		return nil, err
	}
	if review.Response == nil {
		return nil, errors.New("no response in the review")
	}
	return review.Response, nil
}

// portConfig is a config for every node with one neighbor at port.
func portConfig(name string, port uint16) *v1beta1.FRRConfiguration {
	n := v1beta1.Neighbor{ASN: 65001, Address: "192.0.2.1"}
	if port != 0 {
		n.Port = ptr.To(port)
	}
	return &v1beta1.FRRConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: testNamespace},
		Spec:       v1beta1.FRRConfigurationSpec{BGP: v1beta1.BGPConfig{Routers: []v1beta1.Router{{ASN: 65000, Neighbors: []v1beta1.Neighbor{n}}}}},
	}
}

// checkAdmission creates a node and a config through the API server, then
// checks the webhook denies a conflicting config once its caches see them.
func (r *running) checkAdmission(t *testing.T, env *testenv.Env, hc *http.Client) {
	t.Helper()
	ctx := context.Background()
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-webhook", Labels: map[string]string{"kubernetes.io/hostname": "node-webhook"}}}
	existing := portConfig("existing", 1179)
	for _, obj := range []client.Object{node, existing} {
		if err := env.Client.Create(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		_ = env.Client.Delete(ctx, existing)
		_ = env.Client.Delete(ctx, node)
	})
	want := "multiple ports specified for 192.0.2.1 (field port: 1179 in frr-k8s-system/existing, unset (default 179) in frr-k8s-system/new)" +
		"\nresource is invalid for node node-webhook"
	var last *admissionv1.AdmissionResponse
	eventually(t, "the webhook to deny a conflicting config", func(context.Context) (bool, error) {
		resp, err := r.review(hc, portConfig("new", 0))
		if err != nil {
			return false, nil
		}
		last = resp
		return !resp.Allowed, nil
	})
	if last.Result == nil || last.Result.Message != want {
		t.Errorf("denial %+v, want the message %q", last.Result, want)
	}
	resp, err := r.review(hc, portConfig("compatible", 1179))
	if err != nil || !resp.Allowed {
		t.Errorf("a compatible config: %+v, %v", resp, err)
	}
}

// checkCleaner creates a daemon pod and FRRNodeStates and waits for the
// cleaner to delete the states of nodes without a daemon pod.
func checkCleaner(t *testing.T, env *testenv.Env) {
	t.Helper()
	ctx := context.Background()
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "frr-k8s-a", Namespace: testNamespace, Labels: map[string]string{"app.kubernetes.io/component": "frr-k8s"}},
		Spec:       corev1.PodSpec{NodeName: "node-a", Containers: []corev1.Container{{Name: "frr-k8s", Image: "frr-k8s"}}},
	}
	if err := env.Client.Create(ctx, pod); err != nil {
		t.Fatal(err)
	}
	for _, node := range []string{"node-a", "node-b"} {
		if err := env.Client.Create(ctx, &v1beta1.FRRNodeState{ObjectMeta: metav1.ObjectMeta{Name: node}}); err != nil {
			t.Fatal(err)
		}
	}
	states := func() []string {
		list := &v1beta1.FRRNodeStateList{}
		if err := env.Client.List(ctx, list); err != nil {
			t.Fatal(err)
		}
		var res []string
		for _, s := range list.Items {
			res = append(res, s.Name)
		}
		return res
	}
	eventually(t, "the FRRNodeState of node-b to go", func(context.Context) (bool, error) {
		got := states()
		return len(got) == 1 && got[0] == "node-a", nil
	})
	// envtest has no kubelet: delete the pod at once.
	if err := env.Client.Delete(ctx, pod, client.GracePeriodSeconds(0)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the FRRNodeState of node-a to go once its pod is deleted", func(context.Context) (bool, error) {
		return len(states()) == 0, nil
	})
}

// checkLogLevel sets the level through FRRK8sConfiguration and waits for
// the process level to follow, then deletes it and waits for the flag's.
func (r *running) checkLogLevel(t *testing.T, env *testenv.Env) {
	t.Helper()
	ctx := context.Background()
	cfg := &v1beta1.FRRK8sConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "config", Namespace: testNamespace},
		Spec:       v1beta1.FRRK8sConfigurationSpec{LogLevel: "debug"},
	}
	if err := env.Client.Create(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the debug level", func(context.Context) (bool, error) {
		return r.logger.Level() == zapcore.DebugLevel, nil
	})
	if err := env.Client.Delete(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the --log-level level", func(context.Context) (bool, error) {
		return r.logger.Level() == zapcore.InfoLevel, nil
	})
}

// webhookConfiguration is the configuration the rotator patches; its
// webhook matches no object, so the API server never calls it.
func webhookConfiguration() *admissionregv1.ValidatingWebhookConfiguration {
	return &admissionregv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: webhooks.ConfigurationName},
		Webhooks: []admissionregv1.ValidatingWebhook{{
			Name: webhooks.Name,
			ClientConfig: admissionregv1.WebhookClientConfig{Service: &admissionregv1.ServiceReference{
				Namespace: testNamespace, Name: "frr-k8s-webhook-service", Path: ptr.To(webhooks.Path),
			}},
			Rules: []admissionregv1.RuleWithOperations{{
				Operations: []admissionregv1.OperationType{admissionregv1.Create, admissionregv1.Update},
				Rule:       admissionregv1.Rule{APIGroups: []string{"frrk8s.metallb.io"}, APIVersions: []string{"v1beta1"}, Resources: []string{"frrconfigurations"}},
			}},
			ObjectSelector:          &metav1.LabelSelector{MatchLabels: map[string]string{"never": "matches"}},
			FailurePolicy:           ptr.To(admissionregv1.Ignore),
			SideEffects:             ptr.To(admissionregv1.SideEffectClassNone),
			AdmissionReviewVersions: []string{"v1"},
		}},
	}
}

// mountSecret copies the certificate Secret into certDir once the
// rotator has filled it, as the kubelet would.
func mountSecret(ctx context.Context, t *testing.T, env *testenv.Env, certDir string) {
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, pollTimeout, true, func(ctx context.Context) (bool, error) {
		secret := &corev1.Secret{}
		if err := env.Client.Get(ctx, types.NamespacedName{Namespace: testNamespace, Name: webhookSecretName}, secret); err != nil {
			return false, nil
		}
		if len(secret.Data["tls.crt"]) == 0 {
			return false, nil
		}
		for _, name := range []string{"tls.key", "ca.crt", "tls.crt"} { // tls.crt last: the rotator waits for it
			if err := os.WriteFile(filepath.Join(certDir, name), secret.Data[name], 0o600); err != nil {
				return false, err
			}
		}
		return true, nil
	})
	if err != nil && ctx.Err() == nil {
		t.Errorf("mounting the certificate Secret: %v", err)
	}
}

func TestStatuscleanerWithCertRotation(t *testing.T) {
	env := testenv.Require(t)
	ctx := context.Background()
	ensureNamespace(t, env.Client)
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: webhookSecretName, Namespace: testNamespace}}
	vwc := webhookConfiguration()
	for _, obj := range []client.Object{secret, vwc} {
		if err := env.Client.Create(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}
	certDir := t.TempDir()
	mountCtx, stopMounting := context.WithCancel(ctx)
	mounted := make(chan struct{})
	go func() {
		defer close(mounted)
		mountSecret(mountCtx, t, env, certDir)
	}()
	t.Cleanup(func() {
		stopMounting()
		<-mounted
	})
	// The statuscleaner runs with its deployed rights: the rotator may list
	// and watch the certificate Secret alone, not the password Secret here.
	password := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "bgp-password", Namespace: testNamespace}}
	if err := env.Client.Create(ctx, password); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	r := startStatuscleanerAs(t, restrictedConfig(t, env), "--cert-dir="+certDir, "--webhook-port="+strconv.Itoa(e2eharness.FreePort(t)))

	// The rotator fills the Secret and patches the CA bundle.
	eventually(t, "the CA bundle", func(ctx context.Context) (bool, error) {
		if err := env.Client.Get(ctx, client.ObjectKeyFromObject(secret), secret); err != nil {
			return false, err
		}
		if err := env.Client.Get(ctx, client.ObjectKeyFromObject(vwc), vwc); err != nil {
			return false, err
		}
		return len(secret.Data["ca.crt"]) > 0 && bytes.Equal(vwc.Webhooks[0].ClientConfig.CABundle, secret.Data["ca.crt"]), nil
	})
	for _, key := range []string{"ca.crt", "ca.key", "tls.crt", "tls.key"} {
		if len(secret.Data[key]) == 0 {
			t.Errorf("the Secret has no %s", key)
		}
	}
	checkServingCertificate(t, secret.Data["tls.crt"], secret.Data["ca.crt"])

	// The server presents that certificate, for the service's DNS name.
	hc := httpsClient(secret.Data["ca.crt"], "frr-k8s-webhook-service."+testNamespace+".svc")
	r.checkHealth(t, hc)
	r.checkAdmission(t, env, hc)
	checkCleaner(t, env)
	r.checkLogLevel(t, env)
}

// checkServingCertificate checks the rotator's certificate: issued by its
// CA (organization frrk8s, name cert) for the webhook service.
func checkServingCertificate(t *testing.T, certPEM, caPEM []byte) {
	t.Helper()
	cert := parseCertificate(t, certPEM)
	ca := parseCertificate(t, caPEM)
	if ca.Subject.CommonName != caName || len(ca.Subject.Organization) != 1 || ca.Subject.Organization[0] != caOrganization {
		t.Errorf("CA subject %v, want CN %s, O %s", ca.Subject, caName, caOrganization)
	}
	want := "frr-k8s-webhook-service." + testNamespace + ".svc"
	if len(cert.DNSNames) != 1 || cert.DNSNames[0] != want {
		t.Errorf("certificate DNS names %v, want [%s]", cert.DNSNames, want)
	}
	if err := cert.CheckSignatureFrom(ca); err != nil {
		t.Errorf("the certificate is not signed by the CA: %v", err)
	}
}

// parseCertificate decodes one PEM certificate.
func parseCertificate(t *testing.T, data []byte) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatal("no PEM block")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// writeSelfSigned writes a self-signed tls.crt and tls.key for 127.0.0.1
// into dir and returns the certificate.
func writeSelfSigned(t *testing.T, dir string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "statuscleaner-test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	for name, data := range map[string][]byte{"tls.crt": certPEM, "tls.key": keyPEM} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return certPEM
}

func TestStatuscleanerWithoutCertRotation(t *testing.T) {
	env := testenv.Require(t)
	ensureNamespace(t, env.Client)
	certDir := t.TempDir()
	ca := writeSelfSigned(t, certDir)
	r := startStatuscleaner(t, env, "--disable-cert-rotation", "--cert-dir="+certDir,
		"--webhook-port="+strconv.Itoa(e2eharness.FreePort(t)), "--tls-min-version=VersionTLS12")
	hc := httpsClient(ca, "127.0.0.1")
	r.checkHealth(t, hc)
	checkCleaner(t, env)
	r.checkLogLevel(t, env)
}

func TestWebhookNames(t *testing.T) {
	got := fmt.Sprint(webhookSecretName, " ", caName, " ", caOrganization, " ", fieldOwner, " ", webhooks.ConfigurationName)
	want := "frr-k8s-webhook-server-cert cert frrk8s frr-k8s frr-k8s-validating-webhook-configuration"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

package suite

import (
	"context"
	"fmt"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/frrk8s/frrk8s/api/v1beta1"
)

// Upstream's webhook texts the suite matches.
const (
	disableMPWarning = "disableMP is deprecated, is ignored and will be removed in a future release"
	invalidForNode   = "resource is invalid for node"
)

// webhookNeighbor is the neighbor the webhook specs declare: an address no
// router answers at, so the config they admit changes nothing that matters.
const webhookNeighbor = "192.0.2.77"

// conflictingASN is the AS the second config claims for webhookNeighbor.
const conflictingASN = 64999

// warningRecorder keeps the warnings the API server returns.
type warningRecorder struct {
	mu       sync.Mutex
	warnings []string
}

// HandleWarningHeaderWithContext records one warning.
func (w *warningRecorder) HandleWarningHeaderWithContext(_ context.Context, _ int, _ string, message string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.warnings = append(w.warnings, message)
}

func (w *warningRecorder) all() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string{}, w.warnings...)
}

// clientWithWarnings returns a client whose warnings land in a recorder.
func clientWithWarnings() (client.Client, *warningRecorder) {
	GinkgoHelper()
	rec := &warningRecorder{}
	cfg := rest.CopyConfig(restConfig)
	cfg.WarningHandler = nil
	cfg.WarningHandlerWithContext = rec
	c, err := newClient(cfg)
	Expect(err).NotTo(HaveOccurred())
	return c, rec
}

var _ = Describe("Webhook", func() {
	It("refuses a config that conflicts with an existing one, naming both", func() {
		first := newConfig("webhook-first", v1beta1.Neighbor{Address: webhookNeighbor, ASN: env.peerASN})
		By("creating a valid config")
		createConfig(first)

		second := newConfig("webhook-second", v1beta1.Neighbor{Address: webhookNeighbor, ASN: conflictingASN})
		want := fmt.Sprintf("multiple asns specified for %s (field asn/dynamicASN: %d in %s/%s, %d in %s/%s)",
			webhookNeighbor, env.peerASN, env.namespace, first.Name, conflictingASN, env.namespace, second.Name)
		By("creating a conflicting config (dry run, retried until the webhook's cache has the first)")
		Eventually(func() error {
			return k8s.Create(ctx(), second.DeepCopy(), client.DryRunAll)
		}).Should(MatchError(SatisfyAll(
			ContainSubstring("admission webhook"),
			ContainSubstring(want),
			ContainSubstring(invalidForNode),
		)), "the conflicting config was not refused as expected")
	})

	It("admits a valid config, and warns about disableMP", func() {
		c, rec := clientWithWarnings()
		valid := newConfig("webhook-valid", v1beta1.Neighbor{Address: webhookNeighbor, ASN: env.peerASN})
		Expect(c.Create(ctx(), valid, client.DryRunAll)).To(Succeed())
		Expect(rec.all()).To(BeEmpty())

		deprecated := newConfig("webhook-disablemp", v1beta1.Neighbor{Address: webhookNeighbor, ASN: env.peerASN, DisableMP: true})
		Expect(c.Create(ctx(), deprecated, client.DryRunAll)).To(Succeed())
		Expect(rec.all()).To(ContainElement(ContainSubstring(disableMPWarning)))
	})
})

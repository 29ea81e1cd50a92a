package suite

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/frrk8s/frrk8s/api/v1beta1"
)

// Each spec uses its own prefixes, so that what an earlier spec left being
// withdrawn cannot be mistaken for its result.
var _ = Describe("Advertising", func() {
	It("announces the allowed prefixes of a config to the peer and withdraws them when the config goes", func() {
		const advertised, heldBack = "192.0.2.16/28", "192.0.2.32/28"
		neighbor := peerNeighbor()
		neighbor.ToAdvertise.Allowed.Prefixes = []string{advertised}
		cfg := newConfig("advertise", neighbor)
		cfg.Spec.BGP.Routers[0].Prefixes = []string{advertised, heldBack}

		By("creating a config that declares two prefixes and allows one to the peer")
		createConfig(cfg)
		Eventually(peerFRR().ipv4Routes).Should(HaveKey(advertised), "the peer never received %s", advertised)
		Expect(peerFRR().ipv4Routes()).NotTo(HaveKey(heldBack), "the peer received %s, which is not allowed", heldBack)

		By("deleting the config")
		deleteObject(cfg)
		Eventually(peerFRR().ipv4Routes).ShouldNot(HaveKey(advertised), "the peer still has %s", advertised)
	})

	It("announces every router prefix with mode all", func() {
		const first, second = "192.0.2.96/28", "192.0.2.112/28"
		neighbor := peerNeighbor()
		neighbor.ToAdvertise.Allowed.Mode = v1beta1.AllowAll
		cfg := newConfig("advertise-all", neighbor)
		cfg.Spec.BGP.Routers[0].Prefixes = []string{first, second}

		createConfig(cfg)
		Eventually(peerFRR().ipv4Routes).Should(SatisfyAll(HaveKey(first), HaveKey(second)))
	})
})

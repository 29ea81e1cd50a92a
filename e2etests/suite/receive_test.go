package suite

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/frrk8s/frrk8s/api/v1beta1"
)

// announceFromPeer makes the external router announce prefixes until the
// spec ends.
func announceFromPeer(prefixes ...string) {
	GinkgoHelper()
	lines := func(verb string) []string {
		var l []string
		for _, p := range prefixes {
			l = append(l, verb+"network "+p)
		}
		return peerIPv4Lines(l...)
	}
	By("making the peer announce " + fmtList(prefixes))
	Expect(peerFRR().configure(lines("")...)).To(Succeed())
	DeferCleanup(func() { Expect(peerFRR().configure(lines("no ")...)).To(Succeed()) })
}

// Each spec uses its own prefixes, so that what an earlier spec left being
// withdrawn cannot be mistaken for its result.
var _ = Describe("Receiving", func() {
	It("accepts only the allowed prefixes in filtered mode", func() {
		const accepted, filtered = "203.0.113.16/28", "203.0.113.32/28"
		announceFromPeer(accepted, filtered)
		neighbor := peerNeighbor()
		neighbor.ToReceive.Allowed.Prefixes = []v1beta1.PrefixSelector{{Prefix: accepted}}
		createConfig(newConfig("receive-filtered", neighbor))

		Eventually(nodeFRR().ipv4Routes).Should(HaveKey(accepted), "the node never accepted %s", accepted)
		Expect(nodeFRR().ipv4Routes()).NotTo(HaveKey(filtered), "the node accepted %s, which is not allowed", filtered)
	})

	It("accepts every prefix in mode all and drops them when the config goes", func() {
		const first, second = "203.0.113.48/28", "203.0.113.64/28"
		announceFromPeer(first, second)
		neighbor := peerNeighbor()
		neighbor.ToReceive.Allowed.Mode = v1beta1.AllowAll
		cfg := newConfig("receive-all", neighbor)
		createConfig(cfg)

		Eventually(nodeFRR().ipv4Routes).Should(SatisfyAll(HaveKey(first), HaveKey(second)))

		By("deleting the config")
		deleteObject(cfg)
		Eventually(nodeFRR().ipv4Routes).ShouldNot(SatisfyAny(HaveKey(first), HaveKey(second)), "the node still has the prefixes")
	})
})

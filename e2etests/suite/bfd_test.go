package suite

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/frrk8s/frrk8s/api/v1beta1"
)

var _ = Describe("BFD", func() {
	It("brings a BFD session up with a peer configured for BFD and reports it", func() {
		By("enabling BFD towards the node on the peer")
		bfd := func(verb string) error {
			return peerFRR().configure(peerRouterLines(verb + "neighbor " + env.nodeAddress.String() + " bfd")...)
		}
		Expect(bfd("")).To(Succeed())
		DeferCleanup(func() { Expect(bfd("no ")).To(Succeed()) })

		By("creating a config that gives the neighbor a BFD profile")
		profile := uniqueName("e2e-bfd")
		neighbor := peerNeighbor()
		neighbor.BFDProfile = profile
		cfg := newConfig("bfd", neighbor)
		cfg.Spec.BGP.BFDProfiles = []v1beta1.BFDProfile{{
			Name:             profile,
			ReceiveInterval:  u32(300),
			TransmitInterval: u32(300),
			DetectMultiplier: u32(3),
		}}
		createConfig(cfg)

		Eventually(nodeFRR().bfdPeerStatus).WithArguments(env.peerAddress).Should(Equal("up"), "the node's BFD session never came up")
		Eventually(peerSession).Should(SatisfyAll(
			HaveField("BGPStatus", "Established"),
			HaveField("BFDStatus", "Up"),
		), "BGPSessionState never reported BFD up")
		Eventually(runningConfig).Should(ContainSubstring("bfd profile " + profile))
	})
})

// u32 returns a pointer to v.
func u32(v uint32) *uint32 { return &v }

package suite

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// statusPrefix is advertised by the status spec's config.
const statusPrefix = "192.0.2.64/28"

var _ = Describe("Status", func() {
	It("reports the applied config in FRRNodeState and the session in BGPSessionState", func() {
		neighbor := peerNeighbor()
		neighbor.ToAdvertise.Allowed.Prefixes = []string{statusPrefix}
		cfg := newConfig("status", neighbor)
		cfg.Spec.BGP.Routers[0].Prefixes = []string{statusPrefix}
		createConfig(cfg)

		Eventually(nodeState).Should(SatisfyAll(
			HaveField("LastConversionResult", "success"),
			HaveField("LastReloadResult", "success"),
			HaveField("RunningConfig", SatisfyAll(
				ContainSubstring(fmt.Sprintf("router bgp %d", env.nodeASN)),
				ContainSubstring(fmt.Sprintf("neighbor %s remote-as %d", env.peerAddress, env.peerASN)),
				ContainSubstring(statusPrefix),
			)),
		), "FRRNodeState %s never reported the config as applied", env.node)

		Eventually(peerSession).Should(SatisfyAll(
			HaveField("BGPStatus", "Established"),
			HaveField("Node", env.node),
			HaveField("Peer", env.peerAddress.String()),
			HaveField("VRF", ""),
		), "BGPSessionState never reported the session Established")
	})
})

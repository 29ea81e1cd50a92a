package suite

import (
	"encoding/json"
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Prefixes of the nodeSelector spec.
const (
	// selectedPrefix is announced only while the node carries the label.
	selectedPrefix = "192.0.2.48/28"
	// markerPrefix is declared by a config for every node, not advertised.
	markerPrefix = "192.0.2.80/28"
)

// setNodeLabel sets (value non-nil) or removes (nil) a label of the node
// under test with a merge patch.
func setNodeLabel(key string, value *string) error {
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"labels": map[string]*string{key: value}}})
	if err != nil {
		return err
	}
	node := &corev1.Node{}
	node.Name = env.node
	if err := k8s.Patch(ctx(), node, client.RawPatch(types.MergePatchType, patch)); err != nil {
		return fmt.Errorf("patching the labels of node %s: %w", env.node, err)
	}
	return nil
}

var _ = Describe("nodeSelector", func() {
	It("applies a config only while the node carries the selected label", func() {
		key := "frrk8s-e2e/" + uniqueName("selected")
		value := "yes"
		neighbor := peerNeighbor()
		neighbor.ToAdvertise.Allowed.Prefixes = []string{selectedPrefix}
		cfg := newConfig("node-selector", neighbor)
		cfg.Spec.BGP.Routers[0].Prefixes = []string{selectedPrefix}
		cfg.Spec.NodeSelector = metav1.LabelSelector{MatchLabels: map[string]string{key: value}}
		DeferCleanup(setNodeLabel, key, (*string)(nil))

		By("creating a config selecting a label the node lacks")
		createConfig(cfg)
		// A config created afterwards for every node shows when the daemon
		// has converted a set that already includes the first one.
		marker := newConfig("node-selector-marker")
		marker.Spec.BGP.Routers[0].Prefixes = []string{markerPrefix}
		createConfig(marker)
		Eventually(runningConfig).Should(ContainSubstring(markerPrefix), "the node never applied the marker config")
		Expect(runningConfig()).NotTo(ContainSubstring(selectedPrefix), "the node applied a config that does not select it")
		Expect(peerFRR().ipv4Routes()).NotTo(HaveKey(selectedPrefix))

		By("labelling the node")
		Expect(setNodeLabel(key, &value)).To(Succeed())
		Eventually(peerFRR().ipv4Routes).Should(HaveKey(selectedPrefix), "the peer never received %s after the node was labelled", selectedPrefix)
		Eventually(runningConfig).Should(ContainSubstring(selectedPrefix))

		By("removing the label")
		Expect(setNodeLabel(key, nil)).To(Succeed())
		Eventually(peerFRR().ipv4Routes).ShouldNot(HaveKey(selectedPrefix), "the peer still has %s after the label was removed", selectedPrefix)
		Eventually(runningConfig).ShouldNot(ContainSubstring(selectedPrefix))
	})
})

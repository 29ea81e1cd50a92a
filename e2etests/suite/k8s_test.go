package suite

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/controller"
)

// ownerLabel marks every object the suite creates, so that leftovers of an
// interrupted run can be found and removed.
const ownerLabel = "frrk8s.metallb.io/e2e"

// ctx is the context of the API calls; rest.Config.Timeout bounds each.
func ctx() context.Context { return context.Background() }

// uniqueName returns prefix followed by a random suffix.
func uniqueName(prefix string) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// peerNeighbor is a neighbor entry for the external router.
func peerNeighbor() v1beta1.Neighbor {
	return v1beta1.Neighbor{Address: env.peerAddress.String(), ASN: env.peerASN}
}

// newConfig returns an FRRConfiguration in the daemon's namespace with one
// router in the node's AS holding neighbors.
func newConfig(name string, neighbors ...v1beta1.Neighbor) *v1beta1.FRRConfiguration {
	return &v1beta1.FRRConfiguration{
		ObjectMeta: metav1.ObjectMeta{
			Name:      uniqueName(name),
			Namespace: env.namespace,
			Labels:    map[string]string{ownerLabel: "true"},
		},
		Spec: v1beta1.FRRConfigurationSpec{
			BGP: v1beta1.BGPConfig{
				Routers: []v1beta1.Router{{ASN: env.nodeASN, Neighbors: neighbors}},
			},
		},
	}
}

// createConfig creates cfg and deletes it when the spec ends.
func createConfig(cfg *v1beta1.FRRConfiguration) {
	GinkgoHelper()
	Expect(k8s.Create(ctx(), cfg)).To(Succeed(), "creating FRRConfiguration %s", cfg.Name)
	DeferCleanup(deleteObject, cfg)
}

// deleteObject deletes obj; an object already gone is fine.
func deleteObject(obj client.Object) {
	GinkgoHelper()
	Expect(client.IgnoreNotFound(k8s.Delete(ctx(), obj))).To(Succeed(), "deleting %s", obj.GetName())
}

// removeLeftovers deletes the FRRConfigurations an interrupted run left.
func removeLeftovers() {
	GinkgoHelper()
	Expect(k8s.DeleteAllOf(ctx(), &v1beta1.FRRConfiguration{}, client.InNamespace(env.namespace),
		client.MatchingLabels{ownerLabel: "true"})).To(Succeed())
}

// nodeState returns the status of the node's FRRNodeState.
func nodeState() (v1beta1.FRRNodeStateStatus, error) {
	var s v1beta1.FRRNodeState
	if err := k8s.Get(ctx(), client.ObjectKey{Name: env.node}, &s); err != nil {
		return v1beta1.FRRNodeStateStatus{}, fmt.Errorf("getting FRRNodeState %s: %w", env.node, err)
	}
	return s.Status, nil
}

// runningConfig returns the node's running FRR config as FRRNodeState reports it.
func runningConfig() (string, error) {
	s, err := nodeState()
	return s.RunningConfig, err
}

// peerSession returns the status of the BGPSessionState of the node's
// session with the external router in the default VRF.
func peerSession() (v1beta1.BGPSessionStateStatus, error) {
	var list v1beta1.BGPSessionStateList
	err := k8s.List(ctx(), &list, client.InNamespace(env.namespace), client.MatchingLabels{
		v1beta1.SessionStateNodeLabel: env.node,
		v1beta1.SessionStatePeerLabel: controller.BGPSessionPeerName(env.peerAddress.String()),
		v1beta1.SessionStateVRFLabel:  "",
	})
	if err != nil {
		return v1beta1.BGPSessionStateStatus{}, fmt.Errorf("listing BGPSessionStates: %w", err)
	}
	if len(list.Items) != 1 {
		return v1beta1.BGPSessionStateStatus{}, fmt.Errorf("%d BGPSessionStates for node %s and peer %s", len(list.Items), env.node, env.peerAddress)
	}
	return list.Items[0].Status, nil
}

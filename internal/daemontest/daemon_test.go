package daemontest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/controller"
	"github.com/frrk8s/frrk8s/internal/frr"
)

func TestApplyModifyDelete(t *testing.T) {
	d := startDaemon(t)
	d.createNode(t, nil)
	d.waitApplied(t, "the empty config", hasRouters())
	d.waitConversionResult(t, controller.ConversionSuccess)

	cfg := d.frrConfig("a", 64512, nil)
	d.create(t, cfg)
	d.waitApplied(t, "router 64512", hasRouters(64512))

	d.update(t, cfg, func() {
		cfg.Spec.BGP.Routers[0].Neighbors = append(cfg.Spec.BGP.Routers[0].Neighbors,
			v1beta1.Neighbor{ASN: 64601, Address: "192.0.2.3"})
	})
	d.waitApplied(t, "a second neighbor", func(c *frr.Config) bool {
		return len(c.Routers) == 1 && len(c.Routers[0].Neighbors) == 2
	})

	d.delete(t, cfg)
	d.waitApplied(t, "the empty config again", hasRouters())
	d.waitConversionResult(t, controller.ConversionSuccess)
	if diff := cmp.Diff(metricValues{Errors: 0, Loaded: 1, Stale: 0}, d.metricValues(),
		cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Updates" }, cmp.Ignore())); diff != "" {
		t.Errorf("metrics (-want +got):\n%s", diff)
	}
}

func TestNodeSelectorFollowsNodeLabels(t *testing.T) {
	d := startDaemon(t)
	node := d.createNode(t, map[string]string{"kubernetes.io/hostname": "x"})
	d.create(t, d.frrConfig("edge", 64512, map[string]string{"role": "edge"}))
	d.create(t, d.frrConfig("everyone", 64512, nil))
	d.waitApplied(t, "only the config for every node", func(c *frr.Config) bool {
		return hasRouters(64512)(c) && len(c.Routers[0].Neighbors) == 1
	})

	d.update(t, node, func() { node.Labels["role"] = "edge" })
	edgeCfg := &v1beta1.FRRConfiguration{ObjectMeta: metav1.ObjectMeta{Name: "edge", Namespace: d.namespace}}
	d.update(t, edgeCfg, func() {
		edgeCfg.Spec.BGP.Routers[0].Neighbors[0].Address = "192.0.2.3"
	})
	d.waitApplied(t, "both configs after labelling the node", func(c *frr.Config) bool {
		return hasRouters(64512)(c) && len(c.Routers[0].Neighbors) == 2
	})

	d.update(t, node, func() { delete(node.Labels, "role") })
	d.waitApplied(t, "one config after unlabelling", func(c *frr.Config) bool {
		return hasRouters(64512)(c) && len(c.Routers[0].Neighbors) == 1
	})
}

func TestSecretCreatedAfterTheConfig(t *testing.T) {
	d := startDaemon(t)
	d.createNode(t, nil)
	cfg := d.frrConfig("a", 64512, nil)
	cfg.Spec.BGP.Routers[0].Neighbors[0].PasswordSecret = v1beta1.SecretReference{Name: "bgp-pass", Namespace: d.namespace}
	d.create(t, cfg)
	d.waitConversionResult(t, fmt.Sprintf(
		"failed: failed to process neighbor 64600@192.0.2.2 for router 64512-: secret bgp-pass not found for neighbor 64600@192.0.2.2 (FRRConfiguration %s/a)",
		d.namespace))
	if got := d.metricValues(); got.Errors < 1 || got.Stale != 1 || got.Loaded != 0 {
		t.Errorf("metrics after the missing secret = %+v, want errors, stale, not loaded", got)
	}

	d.create(t, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "bgp-pass", Namespace: d.namespace},
		Type:       corev1.SecretTypeBasicAuth,
		Data:       map[string][]byte{"password": []byte("s3cret")},
	})
	d.waitApplied(t, "the neighbor with the secret's password", func(c *frr.Config) bool {
		return hasRouters(64512)(c) && c.Routers[0].Neighbors[0].Password == "s3cret"
	})
	d.waitConversionResult(t, controller.ConversionSuccess)
	if got := d.metricValues(); got.Stale != 0 || got.Loaded != 1 {
		t.Errorf("metrics after the secret = %+v, want loaded and not stale", got)
	}
}

func TestConversionFailureKeepsTheLastConfig(t *testing.T) {
	d := startDaemon(t)
	d.createNode(t, nil)
	d.create(t, d.frrConfig("a", 64512, nil))
	good := d.waitApplied(t, "router 64512", hasRouters(64512))
	d.waitConversionResult(t, controller.ConversionSuccess)
	appliedBefore := d.handoff.count()
	errorsBefore := d.metricValues().Errors

	conflicting := d.frrConfig("b", 64513, nil)
	d.create(t, conflicting)
	d.waitConversionResult(t, fmt.Sprintf(
		"failed: different asns (64512 != 64513) specified for same vrf:  (field asn: 64512 in %[1]s/a, 64513 in %[1]s/b)",
		d.namespace))
	got := d.metricValues()
	if got.Errors != errorsBefore+1 || got.Stale != 1 || got.Loaded != 1 {
		t.Errorf("metrics after the conflict = %+v, want one more error, stale and still loaded", got)
	}
	if n := d.handoff.count(); n != appliedBefore {
		t.Errorf("%d configs handed to FRR after the conflict, want none", n-appliedBefore)
	}
	if d.handoff.latest() != good {
		t.Error("the last applied config changed")
	}

	d.delete(t, conflicting)
	d.waitConversionResult(t, controller.ConversionSuccess)
	if got := d.metricValues(); got.Stale != 0 {
		t.Errorf("metrics after removing the conflict = %+v, want not stale", got)
	}
}

func TestConfigsInOtherNamespacesAreIgnored(t *testing.T) {
	d := startDaemon(t)
	d.createNode(t, nil)
	other := startDaemon(t) // only for its namespace
	d.create(t, other.frrConfig("elsewhere", 65000, nil))
	d.create(t, d.frrConfig("a", 64512, nil))
	d.waitApplied(t, "only the daemon namespace's router", hasRouters(64512))
	d.waitConversionResult(t, controller.ConversionSuccess)
}

// TestEventsThatCannotChangeTheConfigAreDropped checks D5: events for other
// nodes' configs, unreferenced Secrets and non-label Node changes cause no
// reconcile. Each phase ends with a change that must reconcile (a barrier:
// it comes after the others in the same watch), then counts reconciles.
func TestEventsThatCannotChangeTheConfigAreDropped(t *testing.T) {
	d := startDaemon(t)
	node := d.createNode(t, map[string]string{"kubernetes.io/hostname": d.node})
	own := d.frrConfig("metallb-"+d.node, 64512, map[string]string{"kubernetes.io/hostname": d.node})
	d.create(t, own)
	d.waitApplied(t, "the node's config", hasRouters(64512))
	barrier := func(prefix string) {
		t.Helper()
		d.update(t, own, func() { own.Spec.BGP.Routers[0].Prefixes = append(own.Spec.BGP.Routers[0].Prefixes, prefix) })
		d.waitApplied(t, "prefix "+prefix, func(c *frr.Config) bool {
			return hasRouters(64512)(c) && strings.Contains(strings.Join(c.Routers[0].V4Prefixes, ","), prefix)
		})
	}
	barrier("198.51.100.1/32")
	before := d.metricValues().Updates

	const otherNodes = 20
	for i := range otherNodes {
		other := d.frrConfig(fmt.Sprintf("metallb-other-%02d", i), 64512,
			map[string]string{"kubernetes.io/hostname": fmt.Sprintf("other-%02d", i)})
		d.create(t, other)
		d.update(t, other, func() { other.Spec.BGP.Routers[0].Prefixes = []string{"203.0.113.0/24"} })
	}
	d.create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "unrelated", Namespace: d.namespace}})
	d.update(t, node, func() { node.Annotations = map[string]string{"touched": "yes"} })
	d.create(t, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "other-" + d.node}})
	barrier("198.51.100.2/32")
	if got := d.metricValues().Updates - before; got != 1 {
		t.Errorf("%v reconciles for %d other-node config events and unrelated changes plus one barrier, want 1", got, 2*otherNodes)
	}
}

func TestReconcilingAgainChangesNothing(t *testing.T) {
	d := startDaemon(t)
	d.createNode(t, nil)
	cfg := d.frrConfig("a", 64512, nil)
	d.create(t, cfg)
	first := d.waitApplied(t, "router 64512", hasRouters(64512))
	state := d.waitConversionResult(t, controller.ConversionSuccess)
	applied := d.handoff.count()
	updates := d.metricValues().Updates

	d.update(t, cfg, func() { cfg.Annotations = map[string]string{"touched": "yes"} })
	waitFor(t, "one more reconcile", func() (bool, string) {
		n := d.handoff.count()
		return n > applied, fmt.Sprintf("%d configs applied", n)
	})
	if diff := cmp.Diff(first, d.handoff.latest()); diff != "" {
		t.Errorf("the reconcile of an unchanged config produced another model (-first +again):\n%s", diff)
	}
	if got := d.metricValues().Updates; got != updates+1 {
		t.Errorf("%v reconciles, want 1", got-updates)
	}
	if again := d.nodeState(t); again.ResourceVersion != state.ResourceVersion {
		t.Errorf("FRRNodeState was rewritten (resourceVersion %s → %s)", state.ResourceVersion, again.ResourceVersion)
	}
}

func TestLogLevelFromFRRK8sConfiguration(t *testing.T) {
	d := startDaemon(t)
	d.createNode(t, nil)
	d.create(t, d.frrConfig("a", 64512, nil))
	d.waitApplied(t, "informational FRR logs", func(c *frr.Config) bool {
		return hasRouters(64512)(c) && c.LogLevel == "informational"
	})

	level := &v1beta1.FRRK8sConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: controller.FRRK8sConfigurationName, Namespace: d.namespace},
		Spec:       v1beta1.FRRK8sConfigurationSpec{LogLevel: "all"},
	}
	d.create(t, level)
	d.waitApplied(t, "debugging FRR logs", func(c *frr.Config) bool { return c.LogLevel == frr.LogLevelDebugging })
	waitFor(t, "the process level", func() (bool, string) { return d.lastLevel() == "debug", d.lastLevel() })

	d.delete(t, level)
	d.waitApplied(t, "informational FRR logs again", func(c *frr.Config) bool { return c.LogLevel == "informational" })
	waitFor(t, "the flag level", func() (bool, string) { return d.lastLevel() == "info", d.lastLevel() })
}

func TestFRRNodeStateFollowsTheReloadStatus(t *testing.T) {
	d := startDaemon(t)
	d.createNode(t, nil)
	d.waitConversionResult(t, controller.ConversionSuccess)

	d.status.publish(frr.ReloadStatus{
		Raw:              "1700000000 success",
		LastReloadResult: "success",
		RunningConfig:    "router bgp 64512\n neighbor 192.0.2.2 password s3cret\nexit\n",
	})
	want := v1beta1.FRRNodeStateStatus{
		RunningConfig:        "router bgp 64512\n neighbor 192.0.2.2 password <retracted>\nexit\n",
		LastReloadResult:     "success",
		LastConversionResult: controller.ConversionSuccess,
	}
	waitFor(t, "the published status", func() (bool, string) {
		state := d.nodeState(t)
		return state != nil && state.Status == want, fmt.Sprintf("%+v", state)
	})

	d.deleteNodeState(t)
	waitFor(t, "the FRRNodeState to be recreated", func() (bool, string) {
		state := d.nodeState(t)
		return state != nil && state.Status == want, fmt.Sprintf("%+v", state)
	})
}

package advertise

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/e2eharness"
	"github.com/frrk8s/frrk8s/internal/frrtest"
)

// AS numbers of the node's router and of the peer.
const (
	nodeASN = 64512
	peerASN = 64513
)

// setupTimeout bounds the waits before the measurements start.
const setupTimeout = 2 * time.Minute

// session is one BGP session of the benchmark: the node's source address
// and the peer's address, both on the test link.
type session struct {
	node, peer netip.Addr
}

// sessions are the 4 neighbors. The node reaches 4 addresses of one peer
// FRR, each from its own source address (sourceaddress, rendered as
// update-source), so the peer tells the sessions apart by the node's
// address. The first pair is the link's own addresses; the others are
// added to the link inside the test namespaces.
var sessions = []session{
	{node: frrtest.NodeIPv4.Addr(), peer: frrtest.PeerIPv4.Addr()},
	{node: netip.MustParseAddr("192.0.2.11"), peer: netip.MustParseAddr("192.0.2.21")},
	{node: netip.MustParseAddr("192.0.2.12"), peer: netip.MustParseAddr("192.0.2.22")},
	{node: netip.MustParseAddr("192.0.2.13"), peer: netip.MustParseAddr("192.0.2.23")},
}

// addSessionAddresses puts the extra session addresses on the test link.
func addSessionAddresses(t *testing.T, topo *frrtest.Topology) {
	t.Helper()
	bits := frrtest.NodeIPv4.Bits()
	for _, s := range sessions[1:] {
		for ns, addr := range map[*frrtest.Namespace]netip.Addr{topo.Node: s.node, topo.Peer: s.peer} {
			prefix := netip.PrefixFrom(addr, bits).String()
			if _, err := ns.IP("addr", "add", prefix, "dev", ns.Interface); err != nil {
				t.Fatalf("add %s in %s: %v", prefix, ns.Name, err)
			}
		}
	}
}

// peerConfig is the peer's FRR: one passive neighbor per node address,
// `bgp no-rib` so the peer keeps the routes in BGP only (installing 4·N
// paths into its kernel would take CPU from the node under test on this
// 2-core machine), and `debug bgp updates`, so its log records every
// withdrawal it receives (countWithdrawn). Its timers are FRR's defaults.
func peerConfig() string {
	var b strings.Builder
	b.WriteString("bgp no-rib\ndebug bgp updates\n")
	fmt.Fprintf(&b, "router bgp %d\n no bgp ebgp-requires-policy\n no bgp network import-check\n", peerASN)
	for _, s := range sessions {
		fmt.Fprintf(&b, " neighbor %s remote-as %d\n neighbor %s passive\n", s.node, nodeASN, s.node)
	}
	b.WriteString("exit\n")
	return b.String()
}

// benchmarkPrefixes returns n distinct /32s of 198.18.0.0/15, the range
// reserved for benchmarks; they are only ever routed between the test
// namespaces.
func benchmarkPrefixes(n int) []string {
	prefixes := make([]string, n)
	for i := range n {
		// Start at 198.18.0.1: 198.18.0.0 is kept for the change that sorts first.
		v := i + 1
		prefixes[i] = fmt.Sprintf("198.18.%d.%d/32", v>>8, v&0xff)
	}
	return prefixes
}

// Prefixes of the one-prefix changes. frr-k8s sorts an allowed list as
// strings and numbers the prefix-list entries in that order, so
// sortsLast adds one entry at the end of every list while sortsFirst
// shifts the sequence number of every entry.
const (
	sortsLast  = "198.19.255.255/32"
	sortsFirst = "198.18.0.0/32"
)

// advertiseConfig is the node's configuration: one router originating
// prefixes and advertising all of them to every session through an
// explicit allowed list.
func advertiseConfig(namespace, node string, prefixes []string) *v1beta1.FRRConfiguration {
	connect := metav1.Duration{Duration: time.Second}
	var neighbors []v1beta1.Neighbor
	for _, s := range sessions {
		neighbors = append(neighbors, v1beta1.Neighbor{
			ASN:           peerASN,
			Address:       s.peer.String(),
			SourceAddress: s.node.String(),
			ConnectTime:   &connect,
			ToAdvertise:   v1beta1.Advertise{Allowed: v1beta1.AllowedOutPrefixes{Prefixes: prefixes}},
		})
	}
	return &v1beta1.FRRConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "advertise", Namespace: namespace},
		Spec: v1beta1.FRRConfigurationSpec{
			NodeSelector: metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/hostname": node}},
			BGP: v1beta1.BGPConfig{Routers: []v1beta1.Router{{
				ASN:       nodeASN,
				Prefixes:  prefixes,
				Neighbors: neighbors,
			}}},
		},
	}
}

// createClusterObjects creates what the kubelet and the manifests would
// provide: the namespace and the Node.
func (b *bench) createClusterObjects() {
	b.t.Helper()
	b.create(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: b.namespace}})
	b.create(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: b.node,
		Labels: map[string]string{"kubernetes.io/hostname": b.node}}})
}

// deleteCreated deletes what create created and the node's FRRNodeState,
// newest first. It is registered before the processes start, so it runs
// after they have stopped and no reload is triggered by the deletions.
func (b *bench) deleteCreated() {
	ctx := context.Background()
	objs := append(b.created, &v1beta1.FRRNodeState{ObjectMeta: metav1.ObjectMeta{Name: b.node}})
	for i := len(objs) - 1; i >= 0; i-- {
		if err := b.client.Delete(ctx, objs[i]); err != nil && !apierrors.IsNotFound(err) {
			b.t.Errorf("delete %T %s: %v", objs[i], objs[i].GetName(), err)
		}
	}
}

// create creates obj; deleteCreated deletes it.
func (b *bench) create(obj client.Object) {
	b.t.Helper()
	if err := b.client.Create(context.Background(), obj); err != nil {
		b.t.Fatalf("create %T %s: %v", obj, obj.GetName(), err)
	}
	b.created = append(b.created, obj)
}

// Markers of the reloader's output (cmd/reloader).
const (
	markHUP     = "Received SIGHUP"
	markTest    = "Checking the configuration file syntax"
	markApply   = "Applying the configuration file"
	markSuccess = "FRR reloaded successfully"
	markSyntax  = "Syntax error spotted"
	markFailed  = "Failed to fully apply"
	// frr-reload.py logs these on each of its two passes: reading FRR's
	// running config, then the file of commands it is about to apply.
	markShowRunning = "Loading Config object from vtysh show running"
	markPassFile    = ".txt content"
)

// startReloader runs the reloader on the shared volume, pointed at the
// node's FRR, and waits for its pid file.
func (b *bench) startReloader(bins binaries) {
	b.t.Helper()
	env := append([]string{"SHARED_VOLUME=" + b.shared}, b.frrNode.Env()...)
	env = append(env, b.layout.reloaderEnv...)
	b.reloaderOut = newLineRecorder(markHUP, markTest, markApply, markSuccess, markSyntax, markFailed,
		markShowRunning, markPassFile, markMoving).logTo(b.t, b.logName("reloader"))
	b.reloader = e2eharness.Start(b.t, "reloader", b.reloaderOut, env, bins.reloader)
	pidFile := filepath.Join(b.shared, "reloader.pid")
	frrtest.WaitFor(b.t, setupTimeout, func() (bool, string) {
		return e2eharness.FileHolds(pidFile, fmt.Sprint(b.reloader.Pid()))
	})
}

// startDaemon runs /frr-k8s for the node with the shared volume and waits
// for its health probe.
func (b *bench) startDaemon(bins binaries, kubeconfig string) {
	b.t.Helper()
	probe := fmt.Sprintf("127.0.0.1:%d", e2eharness.FreePort(b.t))
	env := []string{
		"KUBECONFIG=" + kubeconfig,
		"FRR_CONFIG_FILE=" + filepath.Join(b.shared, "frr.conf"),
		"FRR_RELOADER_PID_FILE=" + filepath.Join(b.shared, "reloader.pid"),
		"FRR_RELOADER_STATUS_DIR=" + b.shared,
	}
	args := append([]string{bins.daemon,
		"--node-name=" + b.node, "--namespace=" + b.namespace, "--log-level=info",
		"--metrics-bind-address=0", "--health-probe-bind-address=" + probe,
		fmt.Sprintf("--bgp-debounce-timeout=%d", b.debounce)}, b.layout.daemonArgs...)
	b.daemon = e2eharness.Start(b.t, "frr-k8s", newLineRecorder().logTo(b.t, b.logName("frr-k8s")), env, args...)
	frrtest.WaitFor(b.t, setupTimeout, func() (bool, string) {
		if b.daemon.Exited() {
			b.t.Fatalf("frr-k8s exited:\n%s", b.daemon.Out.String())
		}
		resp, err := http.Get("http://" + probe + "/healthz")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, resp.Status
	})
}

// logName is the name of a process's full log for this run (logDirEnv).
func (b *bench) logName(process string) string {
	return fmt.Sprintf("%s-%s-%s-n%d-d%d.log", process, b.version, b.layout.name, b.n, b.debounce)
}

// event writes a line to the benchmark's own log, stamped like the
// processes' (logDirEnv), so that its milestones line up with theirs.
func (b *bench) event(format string, args ...any) {
	if os.Getenv(logDirEnv) == "" {
		return
	}
	if b.events == nil {
		b.events = newLineRecorder().logTo(b.t, b.logName("bench"))
	}
	fmt.Fprintf(b.events, format+"\n", args...)
}

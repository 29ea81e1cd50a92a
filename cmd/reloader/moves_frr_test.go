package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frrk8s/frrk8s/internal/frr/confdiff"
	"github.com/frrk8s/frrk8s/internal/frrtest"
)

// movedPrefixes is how many prefixes the renumbering test advertises.
const movedPrefixes = 12

// renumberedConfig is nodeConfig advertising movedPrefixes /32s through
// the allowed list, numbered by position (1, 2, …, deny any last) as
// upstream does, or by stable numbers spread over the whole range
// (deny any 4294967295) as frr-k8s does by default.
func renumberedConfig(t *testing.T, stable bool) string {
	t.Helper()
	var entries, networks strings.Builder
	for i := 1; i <= movedPrefixes; i++ {
		seq := uint32(i)
		if stable {
			seq = uint32(i) * 2654435761 % 4294967291
		}
		fmt.Fprintf(&entries, "ip prefix-list 192.0.2.2-allowed-ipv4 seq %d permit 198.51.100.%d/32\n", seq, i)
		fmt.Fprintf(&networks, "    network 198.51.100.%d/32\n", i)
	}
	deny := uint32(movedPrefixes + 1)
	if stable {
		deny = 4294967295
	}
	fmt.Fprintf(&entries, "ip prefix-list 192.0.2.2-allowed-ipv4 seq %d deny any\n", deny)
	conf := nodeConfig(t)
	conf = strings.Replace(conf, "ip prefix-list 192.0.2.2-allowed-ipv4 seq 1 permit 192.0.2.128/26\n", entries.String(), 1)
	return strings.Replace(conf, "    network 192.0.2.128/26\n", networks.String(), 1)
}

// TestRenumberedEntriesStayWithFRR switches a running FRR from positional
// to stable prefix-list numbers through a full apply (a fresh reloader that
// knows nothing, as after an upgrade that keeps FRR running), on every FRR
// version: the reloader moves every entry before frr-reload.py runs, and
// the peer, which logs every update under `debug bgp updates`, receives no
// withdrawal.
func TestRenumberedEntriesStayWithFRR(t *testing.T) {
	frrtest.ForEachVersion(t, func(t *testing.T, v frrtest.Version) {
		testRenumberedEntriesStay(t, v.Backend)
	})
}

func testRenumberedEntriesStay(t *testing.T, b frrtest.Backend) {
	topo := frrtest.NewTopology(t)
	node := frrtest.StartFRR(t, topo.Node, "node", frrtest.WithBackend(b))
	peer := frrtest.StartFRR(t, topo.Peer, "peer", frrtest.WithBackend(b))
	if err := peer.ApplyConfig("debug bgp updates\n" + peerConfig); err != nil {
		t.Fatal(err)
	}
	last := fmt.Sprintf("198.51.100.%d/32", movedPrefixes)

	// The reloader before the upgrade applies positional numbers.
	before := startProcess(t, t.TempDir(), append(node.Env(), "FRR_RELOADER_FULL_INTERVAL=0")...)
	reloadStep(t, before, renumberedConfig(t, false), resultSuccess)
	node.WaitEstablished(t, topo.Peer.Addr4().String(), sessionTimeout)
	waitRoute(t, peer, last)
	before.terminate(t)

	// The reloader after it, with nothing applied yet, meets an FRR that
	// runs BGP: a full apply.
	from, err := peer.LogSize("bgpd")
	if err != nil {
		t.Fatal(err)
	}
	stopWatch := watchRoute(t, peer, last)
	after := startProcess(t, t.TempDir(), append(slowReadEnv(t, node), "FRR_RELOADER_FULL_INTERVAL=0")...)
	out := reloadStep(t, after, renumberedConfig(t, true), resultSuccess)
	// Past the route-map delay timer (1 s here), when bgpd re-evaluates
	// the policies the change touched.
	time.Sleep(2500 * time.Millisecond)
	missing := stopWatch()
	wantOutput(t, "switch", out, []string{
		fmt.Sprintf("%s %d entries, %d commands", markMoving, movedPrefixes+1, 2*(movedPrefixes+1)),
		"no ip prefix-list 192.0.2.2-allowed-ipv4 seq 13 deny any\nip prefix-list 192.0.2.2-allowed-ipv4 seq 4294967295 deny any\n",
		"frr-reload.py --reload",
	}, []string{markCold, markMoveFails})
	withdrawn, err := peer.Withdrawals(from, "")
	if err != nil {
		t.Fatal(err)
	}
	if withdrawn > 0 || missing > 0 {
		t.Errorf("the peer received %d withdrawals and lacked %s in %d polls while the entries were renumbered", withdrawn, last, missing)
	}
	running, err := node.Vtysh("show running-config")
	if err != nil {
		t.Fatal(err)
	}
	list := confdiff.ListKey{Family: "ip", Name: "192.0.2.2-allowed-ipv4"}
	if diff := cmp.Diff(confdiff.Parse(renumberedConfig(t, true)).Lists[list], confdiff.Parse(running).Lists[list]); diff != "" {
		t.Errorf("the allowed list after the switch (-want +got):\n%s", diff)
	}
	routes, err := peer.IPv4Routes()
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= movedPrefixes; i++ {
		if p := fmt.Sprintf("198.51.100.%d/32", i); !routes[p] {
			t.Errorf("the peer lacks %s after the switch", p)
		}
	}
	after.terminate(t)
}

// slowReadEnv is node.Env() with frr-reload.py's vtysh (where --bindir
// points, FRR 8.4 on the host) taking 2 s more to read the running
// configuration, as it does at scale: an entry frr-reload.py loses in its
// first pass and restores in its second is then missing for longer than
// the route-map delay timer, and the peer sees it withdrawn. FRR 10, which
// does not drop an entry identical to another, needs no such delay.
func slowReadEnv(t *testing.T, node *frrtest.Instance) []string {
	t.Helper()
	env := node.Env()
	fields := strings.Fields(node.ReloadArgs())
	i := slices.Index(fields, "--bindir")
	if i < 0 || i+1 >= len(fields) {
		return env
	}
	dir := t.TempDir()
	writeScript(t, dir, "vtysh", fmt.Sprintf(`case "$*" in
*"show running-config"*) sleep 2 ;;
esac
exec %q "$@"
`, filepath.Join(fields[i+1], "vtysh")))
	for j, kv := range env {
		if strings.HasPrefix(kv, "FRR_RELOAD_ARGS=") {
			env[j] = kv + " --bindir " + dir
		}
	}
	return env
}

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/frrk8s/frrk8s/internal/frrtest"
)

// Output lines of the fast path that tell which way a reload went.
const (
	markCold        = "Cold start: loading the configuration file with vtysh"
	markIncremental = "Incremental apply:"
	markNotIncr     = "The change is not incremental: full apply"
	markRestarted   = "FRR daemons changed since the last apply"
	markFallback    = "falling back to a full apply"
	markRepair      = "Repair: loading the configuration file into every FRR daemon"
)

// liarScript runs vtysh, except that while the file lie exists it pretends
// to apply an incremental change (exit 0, nothing done), as a vtysh that
// loses commands would.
const liarScript = `lie=$1; shift
case "$*" in
*incremental.conf*) if [ -e "$lie" ]; then exit 0; fi ;;
esac
exec "$@"
`

// TestReloaderFastPathWithFRR drives the reloader's default mode against a
// real FRR node and peer on every FRR version: the cold load, incremental
// additions, renumbering and removals reaching the peer, a change that is
// not incremental, a dry-run failure, an incremental apply that FRR did not
// take (read back, then applied in full), and a restarted bgpd forcing a
// full apply.
func TestReloaderFastPathWithFRR(t *testing.T) {
	frrtest.ForEachVersion(t, func(t *testing.T, v frrtest.Version) {
		testReloaderFastPath(t, v.Backend)
	})
}

// reloadStep writes conf, sends SIGHUP, waits for the result and returns
// what the reloader printed for this reload.
func reloadStep(t *testing.T, p *process, conf, result string) string {
	t.Helper()
	return reloadStepWithin(t, p, conf, result, waitTimeout)
}

// reloadStepWithin is reloadStep with a bound on the wait.
func reloadStepWithin(t *testing.T, p *process, conf, result string, timeout time.Duration) string {
	t.Helper()
	before := len(p.out.String())
	writeFile(t, p.volume.config, conf)
	// A new .status is written for every reload: remove the old one so the
	// wait sees this reload's result.
	if err := os.Remove(p.volume.status); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	p.signal(t, syscall.SIGHUP)
	frrtest.WaitFor(t, timeout, func() (bool, string) {
		b, _ := os.ReadFile(p.volume.status)
		return strings.HasSuffix(string(b), " "+result), fmt.Sprintf(".status = %q", b)
	})
	frrtest.WaitFor(t, timeout, func() (bool, string) {
		out := p.out.String()
		received, finished := strings.Count(out, receivedSIGHUP), strings.Count(out, reloadFinished)
		return received == finished, fmt.Sprintf("%d SIGHUPs received, %d reloads finished", received, finished)
	})
	return p.out.String()[before:]
}

func wantOutput(t *testing.T, step, out string, want []string, notWant []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("%s: output lacks %q:\n%s", step, w, out)
		}
	}
	for _, w := range notWant {
		if strings.Contains(out, w) {
			t.Errorf("%s: output has %q:\n%s", step, w, out)
		}
	}
}

func testReloaderFastPath(t *testing.T, b frrtest.Backend) {
	topo := frrtest.NewTopology(t)
	node := frrtest.StartFRR(t, topo.Node, "node", frrtest.WithBackend(b), frrtest.WithWatchfrr())
	peer := frrtest.StartFRR(t, topo.Peer, "peer", frrtest.WithBackend(b))
	if err := peer.ApplyConfig(peerConfig); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	lie := filepath.Join(t.TempDir(), "lie")
	liar := writeScript(t, t.TempDir(), "vtysh-liar", liarScript)
	env := node.Env()
	for i, kv := range env {
		if v, ok := strings.CutPrefix(kv, "VTYSH_CMD="); ok {
			env[i] = fmt.Sprintf("VTYSH_CMD=/bin/sh %s %s %s", liar, lie, v)
		}
	}
	// No watcher: the restarted bgpd below is for the next reload to find.
	p := startProcess(t, dir, append(env, "FRR_RELOADER_FULL_INTERVAL=0", "FRR_RELOADER_WATCH_INTERVAL=0")...)
	base := nodeConfig(t)

	// Cold start: FRR runs only its start-up configuration.
	out := reloadStep(t, p, base, resultSuccess)
	wantOutput(t, "cold start", out, []string{markCold}, nil)
	node.WaitEstablished(t, topo.Peer.Addr4().String(), sessionTimeout)
	waitRoute(t, peer, "192.0.2.128/26")
	if got, err := os.ReadFile(p.volume.lastApplied); err != nil || string(got) != base {
		t.Errorf("last-applied.conf = %q, %v; want the applied frr.conf", got, err)
	}
	if st, err := os.Stat(p.volume.lastApplied); err == nil && st.Mode().Perm() != 0o600 {
		t.Errorf("last-applied.conf mode = %v, want 0600", st.Mode().Perm())
	}

	// One prefix added: an entry and a network line, incrementally.
	added := strings.Replace(base, "ip prefix-list 192.0.2.2-allowed-ipv4 seq 1 permit 192.0.2.128/26\n",
		"ip prefix-list 192.0.2.2-allowed-ipv4 seq 1 permit 192.0.2.128/26\nip prefix-list 192.0.2.2-allowed-ipv4 seq 2 permit 198.51.100.0/24\n", 1)
	// Bounds as frr-k8s renders them (le before ge): FRR shows them the other
	// way round, which the read-back must accept.
	added = strings.Replace(added, "ip prefix-list 192.0.2.2-inpl-ipv4 seq 1 permit 192.0.2.64/27 le 28\n",
		"ip prefix-list 192.0.2.2-inpl-ipv4 seq 1 permit 192.0.2.64/27 le 28\nip prefix-list 192.0.2.2-inpl-ipv4 seq 2 permit 203.0.113.0/24 le 32 ge 27\n", 1)
	added = strings.Replace(added, "    network 192.0.2.128/26\n", "    network 192.0.2.128/26\n    network 198.51.100.0/24\n", 1)
	out = reloadStep(t, p, added, resultSuccess)
	wantOutput(t, "add", out, []string{markIncremental, "ip prefix-list 192.0.2.2-allowed-ipv4 seq 2 permit 198.51.100.0/24"},
		[]string{"full apply", "frr-reload"})
	waitRoute(t, peer, "198.51.100.0/24")
	if rc := readFile(t, p.volume.runningConfig); !strings.Contains(rc, "network 198.51.100.0/24") {
		t.Errorf("running-config lacks the new network:\n%s", rc)
	}
	if got := readFile(t, p.volume.lastError); got != "\n" {
		t.Errorf("last-error = %q after a success", got)
	}
	// write memory saved it.
	if saved, err := os.ReadFile(filepath.Join(node.ConfDir(), "frr.conf")); err != nil || !strings.Contains(string(saved), "198.51.100.0/24") {
		t.Errorf("the saved frr.conf lacks the new prefix (%v):\n%s", err, saved)
	}

	// The same entry under a new number: deleted and re-added in one session.
	moved := strings.Replace(added, "seq 2 permit 198.51.100.0/24", "seq 7 permit 198.51.100.0/24", 1)
	// The peer must keep the route throughout, including the route-map
	// delay timer after the change.
	stopWatch := watchRoute(t, peer, "198.51.100.0/24")
	out = reloadStep(t, p, moved, resultSuccess)
	time.Sleep(2500 * time.Millisecond)
	if missing := stopWatch(); missing > 0 {
		t.Errorf("the peer lost 198.51.100.0/24 in %d polls while its entry was renumbered", missing)
	}
	wantOutput(t, "renumber", out, []string{markIncremental,
		"no ip prefix-list 192.0.2.2-allowed-ipv4 seq 2 permit 198.51.100.0/24\nip prefix-list 192.0.2.2-allowed-ipv4 seq 7 permit 198.51.100.0/24\n"},
		[]string{"full apply"})
	if rc := showRunning(t, node); !strings.Contains(rc, "seq 7 permit 198.51.100.0/24") || strings.Contains(rc, "seq 2 permit 198.51.100.0/24") {
		t.Errorf("running config after the renumbering:\n%s", rc)
	}
	waitRoute(t, peer, "198.51.100.0/24")

	// Removed again.
	out = reloadStep(t, p, base, resultSuccess)
	wantOutput(t, "remove", out, []string{markIncremental, " no network 198.51.100.0/24"}, []string{"full apply"})
	waitNoRoute(t, peer, "198.51.100.0/24")

	// A dry-run failure leaves FRR alone and says why.
	before := showRunning(t, node)
	bad := base + "router bgp 64512\n  neighbor 192.0.2.2 no-such-keyword\n"
	out = reloadStep(t, p, bad, resultFailure)
	wantOutput(t, "bad config", out, []string{"Syntax error spotted"}, []string{"frr-reload"})
	if le := readFile(t, p.volume.lastError); !strings.Contains(le, "no-such-keyword") || strings.Contains(le, "\x1b") {
		t.Errorf("last-error does not explain the rejected line cleanly:\n%q", le)
	}
	if after := showRunning(t, node); after != before {
		t.Errorf("a rejected config changed FRR:\nbefore:\n%s\nafter:\n%s", before, after)
	}

	// vtysh pretends to apply an incremental change: the read-back sees it
	// and a full apply follows.
	writeFile(t, lie, "")
	out = reloadStep(t, p, added, resultSuccess)
	wantOutput(t, "read-back", out, []string{markIncremental, "running configuration differs", markFallback}, nil)
	waitRoute(t, peer, "198.51.100.0/24")
	if err := os.Remove(lie); err != nil {
		t.Fatal(err)
	}

	// A change that is not incremental.
	described := strings.Replace(added, "  neighbor 192.0.2.2 password s3cret\n", "  neighbor 192.0.2.2 password s3cret\n  neighbor 192.0.2.2 description the-peer\n", 1)
	out = reloadStep(t, p, described, resultSuccess)
	wantOutput(t, "not incremental", out, []string{markNotIncr}, []string{markIncremental})
	if rc := showRunning(t, node); !strings.Contains(rc, "neighbor 192.0.2.2 description the-peer") {
		t.Errorf("running config lacks the description:\n%s", rc)
	}

	// bgpd restarts without any configuration, as after a crash when the
	// saved configuration is not loaded again: the next change repairs it
	// (the whole file through vtysh, then a full apply) and the session and
	// the advertised prefixes come back.
	if err := node.KillDaemon("bgpd"); err != nil {
		t.Fatal(err)
	}
	if err := node.RestartDaemon("bgpd"); err != nil {
		t.Fatal(err)
	}
	// watchfrr notices the new bgpd within seconds; until then it refuses
	// to save the configuration, as in production.
	frrtest.WaitFor(t, sessionTimeout, func() (bool, string) {
		out, err := node.Vtysh("write memory")
		return err == nil, fmt.Sprintf("write memory: %v %s", err, out)
	})
	out = reloadStep(t, p, strings.Replace(described, "the-peer", "the-peer-2", 1), resultSuccess)
	wantOutput(t, "bgpd restarted", out, []string{markRestarted, markRepair}, []string{markIncremental})
	node.WaitEstablished(t, topo.Peer.Addr4().String(), sessionTimeout)
	waitRoute(t, peer, "198.51.100.0/24")
	if strings.Contains(p.out.String(), "s3cret") {
		t.Errorf("the reloader printed a password:\n%s", p.out.String())
	}
	p.terminate(t)

	// With the restart watcher on, bgpd restarting empty is repaired
	// without any reload request, and the result files say so.
	p = startProcess(t, dir, append(env, "FRR_RELOADER_FULL_INTERVAL=0", "FRR_RELOADER_WATCH_INTERVAL=1s")...)
	final := strings.Replace(described, "the-peer", "the-peer-2", 1)
	reloadStep(t, p, final, resultSuccess)
	testWatcherRepairsBGPD(t, p, node, peer, topo.Peer.Addr4().String())
	p.terminate(t)
}

// testWatcherRepairsBGPD kills node's bgpd and starts it again empty: the
// reloader p, whose watcher checks every second, must notice it and repair
// bgpd on its own, leaving a fresh success in .status, and the peer must
// get the node's prefixes back.
func testWatcherRepairsBGPD(t *testing.T, p *process, node, peer *frrtest.Instance, neighbor string) {
	t.Helper()
	if err := os.Remove(p.volume.status); err != nil {
		t.Fatal(err)
	}
	before := len(p.out.String())
	if err := node.KillDaemon("bgpd"); err != nil {
		t.Fatal(err)
	}
	if err := node.RestartDaemon("bgpd"); err != nil {
		t.Fatal(err)
	}
	frrtest.WaitFor(t, sessionTimeout, func() (bool, string) {
		return strings.Contains(p.out.String()[before:], restartRepaired), "waiting for the watcher's repair"
	})
	out := p.out.String()[before:]
	wantOutput(t, "watcher", out, []string{restartRepairing, markRepair, "FRR reloaded successfully!"}, []string{receivedSIGHUP})
	if got := readFile(t, p.volume.status); !strings.HasSuffix(got, " "+resultSuccess) {
		t.Errorf(".status = %q after the repair", got)
	}
	if got := readFile(t, p.volume.lastError); got != "\n" {
		t.Errorf("last-error = %q after the repair", got)
	}
	node.WaitEstablished(t, neighbor, sessionTimeout)
	waitRoute(t, peer, "192.0.2.128/26")
	waitRoute(t, peer, "198.51.100.0/24")
}

// waitNoRoute waits until inst no longer has prefix in its IPv4 unicast BGP
// table.
func waitNoRoute(t *testing.T, inst *frrtest.Instance, prefix string) {
	t.Helper()
	waitRouteIs(t, inst, prefix, false)
}

// watchRoute polls inst's IPv4 unicast table for prefix until the returned
// function is called, which returns how many polls did not find it.
func watchRoute(t *testing.T, inst *frrtest.Instance, prefix string) func() int {
	t.Helper()
	stop := make(chan struct{})
	result := make(chan int)
	go func() {
		missing := 0
		for {
			select {
			case <-stop:
				result <- missing
				return
			case <-time.After(50 * time.Millisecond):
			}
			if routes, err := inst.IPv4Routes(); err == nil && !routes[prefix] {
				missing++
			}
		}
	}()
	return func() int {
		close(stop)
		return <-result
	}
}

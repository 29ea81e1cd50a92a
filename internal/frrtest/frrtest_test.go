package frrtest

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const sessionTimeout = 30 * time.Second

func TestOwnerPid(t *testing.T) {
	tests := []struct {
		name    string
		wantPid int
		wantOK  bool
	}{
		{name: "frrtest-123-abcdef-node", wantPid: 123, wantOK: true},
		{name: "frrtest-42-node-123456", wantPid: 42, wantOK: true},
		{name: "frrtest-x-node", wantOK: false},
		{name: "frrtest-0-node", wantOK: false},
		{name: "frrtest-77", wantOK: false},
		{name: "other-123-node", wantOK: false},
	}
	for _, tc := range tests {
		pid, ok := ownerPid(tc.name)
		if pid != tc.wantPid || ok != tc.wantOK {
			t.Errorf("ownerPid(%q) = %d, %v; want %d, %v", tc.name, pid, ok, tc.wantPid, tc.wantOK)
		}
	}
}

func TestPoll(t *testing.T) {
	calls := 0
	err := Poll(5*time.Second, func() (bool, string) {
		calls++
		return calls == 3, fmt.Sprintf("call %d", calls)
	})
	if err != nil || calls != 3 {
		t.Fatalf("Poll = %v after %d calls, want nil after 3", err, calls)
	}
	err = Poll(0, func() (bool, string) { return false, "never" })
	if err == nil || !strings.Contains(err.Error(), "never") {
		t.Fatalf("Poll timeout error = %v, want one naming the last observation", err)
	}
}

func TestTopology(t *testing.T) {
	topo := NewTopology(t)
	for _, ns := range []*Namespace{topo.Node, topo.Peer} {
		out, err := ns.IP("-br", "addr", "show", "dev", Interface)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"UP", ns.IPv4.String(), ns.IPv6.String()} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: %s lacks %q: %s", ns.Name, Interface, want, out)
			}
		}
		out, err = ns.Exec("sysctl", "-n", "net.ipv4.ip_forward")
		if err != nil || strings.TrimSpace(out) != "1" {
			t.Errorf("%s: ip_forward = %q, %v; want 1", ns.Name, out, err)
		}
	}
	if topo.Node.Name == topo.Peer.Name || !strings.Contains(topo.Node.Name, fmt.Sprint(os.Getpid())) {
		t.Errorf("namespace names %q and %q must differ and contain the pid", topo.Node.Name, topo.Peer.Name)
	}
}

func peerConfig(localAS, remoteAS int, neighbor string) string {
	return fmt.Sprintf(`bgp route-map delay-timer 1
router bgp %d
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor %s remote-as %d
 neighbor %s timers connect 1
 address-family ipv4 unicast
  network 192.0.2.64/28
 exit-address-family
exit
`, localAS, neighbor, remoteAS, neighbor)
}

// versionExpectations are what differs between the FRR builds in
// TestSessionWatchfrrAndCleanup.
type versionExpectations struct {
	daemons     []string // Instance.Daemons, in start order
	showDaemons []string // `show daemons`, sorted
	vtyshCmd    func(*Instance) string
}

var expectations = map[string]versionExpectations{
	"frr84": {
		daemons:     []string{"zebra", "bgpd", "bfdd", "staticd", Watchfrr},
		showDaemons: []string{"bfdd", "bgpd", "staticd", "watchfrr", "zebra"},
		vtyshCmd:    func(i *Instance) string { return "/usr/bin/vtysh --vty_socket " + i.RunDir() },
	},
	"frr10": {
		daemons:     []string{"mgmtd", "zebra", "bgpd", "bfdd", "staticd", Watchfrr},
		showDaemons: []string{"bfdd", "bgpd", "mgmtd", "staticd", "watchfrr", "zebra"},
		vtyshCmd: func(i *Instance) string {
			return "/bin/sh " + filepath.Join(i.StateDir(), chrootExecName) + " /usr/bin/vtysh"
		},
	},
}

// TestSessionWatchfrrAndCleanup runs, on every FRR version, a node with
// watchfrr and a peer, brings up an eBGP session, reloads the node, kills a
// daemon, and checks that nothing is left once the instance's test is over.
func TestSessionWatchfrrAndCleanup(t *testing.T) {
	ForEachVersion(t, func(t *testing.T, v Version) {
		want, ok := expectations[v.Name]
		if !ok {
			t.Fatalf("no expectations for FRR version %s", v.Name)
		}
		testSessionWatchfrrAndCleanup(t, v.Backend, want)
	})
}

func testSessionWatchfrrAndCleanup(t *testing.T, b Backend, want versionExpectations) {
	// Nothing of the instances may show up in the host's /etc/frr, nor in
	// the FRR directories of the shared chroot.
	protected := []string{"/etc/frr/frr.conf"}
	var protectedDirs []string
	if fb, ok := b.(frr10Backend); ok {
		protected = append(protected, filepath.Join(fb.root, "etc/frr/frr.conf"))
		for _, d := range []string{"etc/frr", "run/frr", "var/lib/frr", "tmp"} {
			protectedDirs = append(protectedDirs, filepath.Join(fb.root, d))
		}
	}
	snapshot := func() map[string]string {
		m := readAll(t, protected)
		maps.Copy(m, listAll(t, protectedDirs))
		return m
	}
	before := snapshot()
	var nsNames []string
	var states []string
	var pids []int

	t.Run("session", func(t *testing.T) {
		topo := NewTopology(t)
		node := StartFRR(t, topo.Node, "node", WithBackend(b), WithWatchfrr())
		peer := StartFRR(t, topo.Peer, "peer", WithBackend(b))
		nsNames = []string{topo.Node.Name, topo.Peer.Name}
		states = []string{node.StateDir(), peer.StateDir()}
		pids = append(node.pids(), peer.pids()...)

		if diff := cmp.Diff(want.daemons, node.Daemons()); diff != "" {
			t.Errorf("node daemons (-want +got):\n%s", diff)
		}
		checkShowDaemons(t, node, want.showDaemons)

		if err := peer.ApplyConfig(peerConfig(64513, 64512, topo.Node.Addr4().String())); err != nil {
			t.Fatal(err)
		}
		if out, err := node.Reload(nodeConfig(t, "192.0.2.64/27")); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		node.WaitEstablished(t, topo.Peer.Addr4().String(), sessionTimeout)
		peer.WaitEstablished(t, topo.Node.Addr4().String(), sessionTimeout)

		// frr-reload.py's final write goes through watchfrr; it must land in
		// the instance's directory, not in the host's (or chroot's) /etc/frr.
		written, err := os.ReadFile(filepath.Join(node.ConfDir(), "frr.conf"))
		if err != nil || !bytes.Contains(written, []byte("neighbor 192.0.2.2 remote-as 64513")) {
			t.Errorf("frr.conf written by the reload = %q, %v; want the node config", written, err)
		}
		if diff := cmp.Diff(before, snapshot()); diff != "" {
			t.Errorf("files outside the instance changed (-before +after):\n%s", diff)
		}

		WaitFor(t, sessionTimeout, func() (bool, string) {
			var routes struct {
				Routes map[string]any `json:"routes"`
			}
			if err := node.VtyshJSON("show bgp ipv4 unicast json", &routes); err != nil {
				return false, err.Error()
			}
			_, ok := routes.Routes["192.0.2.64/28"]
			return ok, fmt.Sprintf("routes %v", routes.Routes)
		})

		if env := node.Env(); !slices.Contains(env, "VTYSH_CMD="+want.vtyshCmd(node)) {
			t.Errorf("Env() = %q lacks the VTYSH_CMD of the instance", env)
		}

		if err := node.KillDaemon("bgpd"); err != nil {
			t.Fatal(err)
		}
		checkShowDaemons(t, node, slices.DeleteFunc(slices.Clone(want.showDaemons), func(d string) bool { return d == "bgpd" }))
		if err := node.KillDaemon("bgpd"); err == nil {
			t.Errorf("KillDaemon of a stopped daemon succeeded")
		}
	})

	if len(nsNames) == 0 {
		t.Fatal("the session subtest did not get far enough to check the cleanup")
	}
	checkCleanedUp(t, nsNames, states, pids)
}

// checkCleanedUp checks that the namespaces, state dirs and daemons of a
// finished test are gone, and that no mount of it is visible.
func checkCleanedUp(t *testing.T, nsNames, states []string, pids []int) {
	t.Helper()
	out, err := run("ip", "netns", "list")
	if err != nil {
		t.Fatal(err)
	}
	for _, ns := range nsNames {
		if strings.Contains(out, ns) {
			t.Errorf("namespace %s still exists", ns)
		}
	}
	for _, dir := range states {
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("state dir %s still exists (%v)", dir, err)
		}
	}
	for _, pid := range pids {
		if processAlive(pid) {
			t.Errorf("daemon pid %d is still alive", pid)
		}
	}
	mounts, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range states {
		if bytes.Contains(mounts, []byte(dir)) {
			t.Errorf("a mount of %s is still visible:\n%s", dir, mounts)
		}
	}
	if root := os.Getenv(FRR10RootEnv); root != "" && bytes.Contains(mounts, []byte(root)) {
		t.Errorf("a mount in the FRR 10 chroot %s is visible on the host:\n%s", root, mounts)
	}
}

// listAll lists the entries of directories, keyed by path.
func listAll(t *testing.T, dirs []string) map[string]string {
	t.Helper()
	listings := map[string]string{}
	for _, d := range dirs {
		entries, err := os.ReadDir(d)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		listings[d+"/"] = strings.Join(names, " ")
	}
	return listings
}

// readAll reads files that may be missing, keyed by path.
func readAll(t *testing.T, paths []string) map[string]string {
	t.Helper()
	contents := map[string]string{}
	for _, p := range paths {
		contents[p] = string(readOptional(t, p))
	}
	return contents
}

func nodeConfig(t *testing.T, allowed string) string {
	t.Helper()
	hostname, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf(`frr defaults traditional
hostname %s
service integrated-vtysh-config
bgp route-map delay-timer 1
ip prefix-list in seq 5 permit %s le 28
route-map in permit 10
 match ip address prefix-list in
exit
router bgp 64512
 no bgp ebgp-requires-policy
 neighbor 192.0.2.2 remote-as 64513
 address-family ipv4 unicast
  neighbor 192.0.2.2 route-map in in
 exit-address-family
exit
`, hostname, allowed)
}

func checkShowDaemons(t *testing.T, inst *Instance, want []string) {
	t.Helper()
	out, err := inst.Vtysh("show daemons")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Fields(out)
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("show daemons (-want +got):\n%s", diff)
	}
}

func readOptional(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return b
}

// pids returns the process ids of the running daemons.
func (i *Instance) pids() []int {
	i.mu.Lock()
	defer i.mu.Unlock()
	var pids []int
	for _, p := range i.procs {
		pids = append(pids, p.cmd.Process.Pid)
	}
	return pids
}

// TestStaleStateIsRemoved plays a test process that was killed before its
// cleanup: its namespace and state dir go, those of live processes stay.
func TestStaleStateIsRemoved(t *testing.T) {
	requireNetns(t)
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	deadPid := dead.Process.Pid
	if processAlive(deadPid) {
		t.Skipf("pid %d was reused already", deadPid)
	}
	staleNS := fmt.Sprintf("%s%d-%s-stale", statePrefix, deadPid, randomHex(3))
	if _, err := run("ip", "netns", "add", staleNS); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = run("ip", "netns", "del", staleNS) })
	staleDir, err := os.MkdirTemp("", fmt.Sprintf("%s%d-stale-", statePrefix, deadPid))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(staleDir) })
	liveDir, err := os.MkdirTemp("", fmt.Sprintf("%s%d-live-", statePrefix, os.Getpid()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(liveDir) })

	deleteStaleNamespaces()
	deleteStaleStateDirs()

	if _, err := os.Stat(filepath.Join(netnsDir, staleNS)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale namespace %s still exists (%v)", staleNS, err)
	}
	if _, err := os.Stat(staleDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale state dir %s still exists (%v)", staleDir, err)
	}
	if _, err := os.Stat(liveDir); err != nil {
		t.Errorf("the state dir of a live process was removed: %v", err)
	}
}

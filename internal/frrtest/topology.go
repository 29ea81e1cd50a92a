package frrtest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/frrk8s/frrk8s/internal/cienv"
)

// Interface is the name of the veth end inside every test namespace.
const Interface = "veth0"

// Addresses of the two ends of the test link: documentation and ULA ranges
// only, and they exist only inside the namespaces the topology creates.
var (
	NodeIPv4 = netip.MustParsePrefix("192.0.2.1/24")
	NodeIPv6 = netip.MustParsePrefix("fd00::1/64")
	PeerIPv4 = netip.MustParsePrefix("192.0.2.2/24")
	PeerIPv6 = netip.MustParsePrefix("fd00::2/64")
)

// netnsDir is where `ip netns` keeps its named namespaces.
const netnsDir = "/var/run/netns"

// sysctls are set in every namespace before its link comes up: forwarding on
// as on a Kubernetes node (frr-reload would otherwise turn it on), and no DAD
// so the IPv6 addresses, link-local included, are usable at once.
var sysctls = []string{
	"net.ipv4.ip_forward=1",
	"net.ipv6.conf.all.forwarding=1",
	"net.ipv6.conf.all.accept_dad=0",
	"net.ipv6.conf.default.accept_dad=0",
}

var (
	staleDirsOnce       sync.Once
	staleNamespacesOnce sync.Once
)

// Namespace is a network namespace created by a test, holding one end of the
// test veth pair.
type Namespace struct {
	// Name is the namespace name for `ip netns`.
	Name string
	// Interface is the veth end inside the namespace.
	Interface string
	// IPv4 and IPv6 are the addresses configured on Interface.
	IPv4, IPv6 netip.Prefix
}

// Addr4 returns the IPv4 address of the namespace's link.
func (n *Namespace) Addr4() netip.Addr { return n.IPv4.Addr() }

// Exec runs a command inside the namespace and returns its combined output.
func (n *Namespace) Exec(args ...string) (string, error) {
	return run(append([]string{"ip", "netns", "exec", n.Name}, args...)...)
}

// IP runs `ip -n <ns> args...` and returns its combined output.
func (n *Namespace) IP(args ...string) (string, error) {
	return run(append([]string{"ip", "-n", n.Name}, args...)...)
}

// Topology is two namespaces joined by a veth pair: Node (192.0.2.1/24,
// fd00::1/64) and Peer (192.0.2.2/24, fd00::2/64).
type Topology struct {
	Node *Namespace
	Peer *Namespace
}

// NewTopology creates the two namespaces and their link. The names contain
// the test process id and a random suffix, so parallel tests and packages do
// not collide. Everything is deleted through t.Cleanup; processes still
// running inside the namespaces then are killed.
func NewTopology(t testing.TB) *Topology {
	t.Helper()
	requireNetns(t)
	removeStaleNamespaces()
	suffix := fmt.Sprintf("%s%d-%s", statePrefix, os.Getpid(), randomHex(3))
	topo := &Topology{
		Node: &Namespace{Name: suffix + "-node", Interface: Interface, IPv4: NodeIPv4, IPv6: NodeIPv6},
		Peer: &Namespace{Name: suffix + "-peer", Interface: Interface, IPv4: PeerIPv4, IPv6: PeerIPv6},
	}
	for _, ns := range []*Namespace{topo.Node, topo.Peer} {
		if _, err := run("ip", "netns", "add", ns.Name); err != nil {
			t.Fatalf("create namespace: %v", err)
		}
		t.Cleanup(func() {
			if err := deleteNamespace(ns.Name); err != nil {
				t.Errorf("delete namespace: %v", err)
			}
		})
		if err := prepareNamespace(ns); err != nil {
			t.Fatal(err)
		}
	}
	if err := link(topo.Node, topo.Peer); err != nil {
		t.Fatal(err)
	}
	return topo
}

// requireNetns skips the test (fails it under CI=true) when namespaces
// cannot be created here.
func requireNetns(t testing.TB) {
	t.Helper()
	cienv.SkipIfShort(t, "root (network namespaces)")
	if os.Geteuid() != 0 {
		cienv.SkipOrFail(t, "network namespaces need root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		cienv.SkipOrFail(t, "ip (iproute2) is missing: %v", err)
	}
}

func prepareNamespace(ns *Namespace) error {
	args := append([]string{"sysctl", "-q", "-w"}, sysctls...)
	if _, err := ns.Exec(args...); err != nil {
		return fmt.Errorf("set sysctls in %s: %w", ns.Name, err)
	}
	if _, err := ns.IP("link", "set", "lo", "up"); err != nil {
		return fmt.Errorf("set lo up in %s: %w", ns.Name, err)
	}
	return nil
}

// link creates the veth pair with both ends directly inside the namespaces
// (no name ever exists in the host namespace), adds the addresses and only
// then sets the links up.
func link(a, b *Namespace) error {
	if _, err := run("ip", "link", "add", a.Interface, "netns", a.Name, "type", "veth",
		"peer", "name", b.Interface, "netns", b.Name); err != nil {
		return fmt.Errorf("create veth pair: %w", err)
	}
	for _, ns := range []*Namespace{a, b} {
		steps := [][]string{
			{"addr", "add", ns.IPv4.String(), "dev", ns.Interface},
			{"addr", "add", ns.IPv6.String(), "dev", ns.Interface, "nodad"},
			{"link", "set", ns.Interface, "up"},
		}
		for _, step := range steps {
			if _, err := ns.IP(step...); err != nil {
				return fmt.Errorf("configure %s in %s: %w", ns.Interface, ns.Name, err)
			}
		}
	}
	return nil
}

// deleteNamespace kills what still runs in the namespace, then deletes it
// (which also removes its veth end).
func deleteNamespace(name string) error {
	killNamespaceProcesses(name)
	if _, err := run("ip", "netns", "del", name); err != nil {
		return fmt.Errorf("delete namespace %s: %w", name, err)
	}
	return nil
}

func killNamespaceProcesses(name string) {
	out, err := run("ip", "netns", "pids", name)
	if err != nil {
		return
	}
	for _, field := range strings.Fields(out) {
		if pid, err := strconv.Atoi(field); err == nil {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// removeStaleNamespaces runs deleteStaleNamespaces once per test process.
func removeStaleNamespaces() {
	staleNamespacesOnce.Do(deleteStaleNamespaces)
}

// deleteStaleNamespaces deletes namespaces created by this package in test
// processes that no longer exist (killed before their cleanup ran).
func deleteStaleNamespaces() {
	entries, err := os.ReadDir(netnsDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if pid, ok := ownerPid(e.Name()); ok && !processAlive(pid) {
			_ = deleteNamespace(e.Name())
		}
	}
}

// ownerPid extracts the creating process id from a name made by this package
// ("frrtest-<pid>-...").
func ownerPid(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, statePrefix)
	if !ok {
		return 0, false
	}
	digits, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(digits)
	if err != nil || pid <= 0 {
		return 0, false
	}
	return pid, true
}

func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// run executes argv and returns its combined output; a failure includes it.
func run(argv ...string) (string, error) {
	var out bytes.Buffer
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err, strings.TrimSpace(out.String()))
	}
	return out.String(), nil
}

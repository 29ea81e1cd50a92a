package main

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frrk8s/frrk8s/internal/frrtest"
)

// stepsEnv turns TestReloaderSteps on; stepsSizeEnv sets N (default 10000).
const (
	stepsEnv     = "FRRK8S_RELOADER_STEPS"
	stepsSizeEnv = "FRRK8S_RELOADER_STEPS_N"
)

// scaleConfig renders an frr-k8s-shaped frr.conf with one router, 4
// neighbors and n /32 prefixes from 198.18.0.0/15, each neighbor's outgoing
// prefix-list allowing all of them (4·n entries), as the advertise benchmark
// does. extra prefixes are appended after the n others.
func scaleConfig(n int, extra ...netip.Prefix) string {
	prefixes := make([]netip.Prefix, 0, n+len(extra))
	base := netip.MustParseAddr("198.18.0.0").As4()
	start := uint32(base[0])<<24 | uint32(base[1])<<16
	for i := range n {
		v := start + uint32(i)
		prefixes = append(prefixes, netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), 32))
	}
	prefixes = append(prefixes, extra...)
	var b strings.Builder
	hostname, _ := os.Hostname()
	fmt.Fprintf(&b, "log timestamp precision 3\nhostname %s\nbgp route-map delay-timer 1\n\n", hostname)
	neighbors := []string{"192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"}
	for _, nb := range neighbors {
		for i, p := range prefixes {
			fmt.Fprintf(&b, "ip prefix-list %s-allowed-ipv4 seq %d permit %s\n", nb, i+1, p)
		}
		fmt.Fprintf(&b, "route-map %[1]s-out permit 1\n  match ip address prefix-list %[1]s-allowed-ipv4\n\n", nb)
		fmt.Fprintf(&b, "route-map %s-in deny 20\n\n", nb)
	}
	b.WriteString("router bgp 64512\n  no bgp ebgp-requires-policy\n  no bgp network import-check\n  no bgp default ipv4-unicast\n\n")
	for _, nb := range neighbors {
		fmt.Fprintf(&b, "  neighbor %s remote-as 64513\n", nb)
	}
	b.WriteString("\n  address-family ipv4 unicast\n")
	for _, nb := range neighbors {
		fmt.Fprintf(&b, "    neighbor %[1]s activate\n    neighbor %[1]s route-map %[1]s-in in\n    neighbor %[1]s route-map %[1]s-out out\n", nb)
	}
	for _, p := range prefixes {
		fmt.Fprintf(&b, "    network %s\n", p)
	}
	b.WriteString("  exit-address-family\n")
	return b.String()
}

// TestReloaderSteps times the steps a reload is made of on a node holding
// scaleConfig(N), on every FRR version: opt-in with FRRK8S_RELOADER_STEPS=1,
// the numbers are logged, never asserted.
func TestReloaderSteps(t *testing.T) {
	if os.Getenv(stepsEnv) == "" {
		t.Skipf("set %s=1 to time the reloader's steps", stepsEnv)
	}
	n := 10000
	if s := os.Getenv(stepsSizeEnv); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		n = v
	}
	frrtest.ForEachVersion(t, func(t *testing.T, v frrtest.Version) {
		t.Run("commands", func(t *testing.T) { timeCommands(t, v, n) })
		t.Run("reloader", func(t *testing.T) { timeReloader(t, v, n) })
	})
}

// timeReloader runs the reloader binary against a node and times, from
// SIGHUP to .status: the cold load of scaleConfig(n), one prefix added,
// renumbered and removed, a change that is not incremental, and the same
// one-prefix changes in legacy mode.
func timeReloader(t *testing.T, v frrtest.Version, n int) {
	topo := frrtest.NewTopology(t)
	node := frrtest.StartFRR(t, topo.Node, "node", frrtest.WithBackend(v.Backend), frrtest.WithWatchfrr())
	one := netip.MustParsePrefix("198.19.255.1/32")
	base := scaleConfig(n)
	added := scaleConfig(n, one)
	renumbered := strings.ReplaceAll(added, fmt.Sprintf("seq %d permit %s", n+1, one), fmt.Sprintf("seq %d permit %s", n+7, one))
	notIncremental := strings.Replace(added, "  no bgp network import-check\n", "  no bgp network import-check\n  bgp log-neighbor-changes\n", 1)
	type step struct{ name, conf string }
	modes := []struct {
		mode  string
		steps []step
	}{
		{"fast", []step{
			{"cold load", base},
			{"+1 prefix", added},
			{"+1 prefix renumbered", renumbered},
			{"-1 prefix", base},
			{"not incremental (one router line)", notIncremental},
		}},
		// Already loaded: the legacy mode starts with the next change.
		{modeLegacy, []step{{"+1 prefix", added}, {"-1 prefix", base}}},
	}
	for _, m := range modes {
		mode := m.mode
		dir := t.TempDir()
		p := startProcess(t, dir, append(node.Env(), "FRR_RELOADER_FULL_INTERVAL=0", "FRR_RELOADER_MODE="+mode)...)
		for _, s := range m.steps {
			start := time.Now()
			out := reloadStepWithin(t, p, s.conf, resultSuccess, 20*time.Minute)
			t.Logf("N=%d mode %s, %s: %.2f s to .status", n, mode, s.name, time.Since(start).Seconds())
			for _, line := range strings.Split(out, "\n") {
				if strings.HasPrefix(line, "Step ") || strings.Contains(line, "Cold") || strings.Contains(line, "successfully") || strings.Contains(line, "apply") || strings.Contains(line, "Incremental") {
					t.Logf("  %s", line)
				}
			}
		}
		p.terminate(t)
	}
}

// timeCommands times the commands a reload is made of on a node holding
// scaleConfig(n).
func timeCommands(t *testing.T, v frrtest.Version, n int) {
	{
		topo := frrtest.NewTopology(t)
		node := frrtest.StartFRR(t, topo.Node, "node", frrtest.WithBackend(v.Backend), frrtest.WithWatchfrr())
		dir := t.TempDir()
		cfg := configFromEnv(func(k string) string {
			for _, kv := range node.Env() {
				if key, value, _ := strings.Cut(kv, "="); key == k {
					return value
				}
			}
			return ""
		})
		conf := filepath.Join(dir, "frr.conf")
		writeFile(t, conf, scaleConfig(n))
		step := func(name string, argv ...string) string {
			t.Helper()
			start := time.Now()
			out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
			t.Logf("N=%d %s: %.2f s, %d bytes of output (err %v)", n, name, time.Since(start).Seconds(), len(out), err)
			return string(out)
		}
		vtysh := func(args ...string) []string { return slices.Concat(cfg.vtyshCmd, args) }
		step("dry run (vtysh --dryrun -f)", vtysh("--dryrun", "-f", conf)...)
		step("cold load (vtysh -f)", vtysh("-f", conf)...)
		out := step("frr-reload --test after the cold load", testArgv(cfg.reloadCmd, conf)...)
		t.Logf("--test output tail:\n%s", tailLines(out, 15))
		step("show running-config", vtysh("-c", "show running-config")...)
		step("show ip prefix-list NAME json", vtysh("-c", "show ip prefix-list 192.0.2.2-allowed-ipv4 json")...)
		step("show running-config (2)", vtysh("-c", "show running-config")...)
		step("write memory", vtysh("-c", "write memory")...)
		mods := step("show modules", vtysh("-c", "show modules")...)
		t.Logf("show modules:\n%s", mods)

		one := netip.MustParsePrefix("198.19.255.1/32")
		incr := filepath.Join(dir, "incremental.conf")
		var cmds strings.Builder
		for _, nb := range []string{"192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"} {
			fmt.Fprintf(&cmds, "ip prefix-list %s-allowed-ipv4 seq %d permit %s\n", nb, n+1, one)
		}
		cmds.WriteString("router bgp 64512\n address-family ipv4 unicast\n  network " + one.String() + "\n exit-address-family\nexit\n")
		writeFile(t, incr, cmds.String())
		step("incremental +1 (vtysh -f)", vtysh("-f", incr)...)
		writeFile(t, filepath.Join(dir, "new.conf"), scaleConfig(n, one))
		out = step("frr-reload --test after +1", testArgv(cfg.reloadCmd, filepath.Join(dir, "new.conf"))...)
		t.Logf("--test output tail:\n%s", tailLines(out, 15))
		c := []string{"-c", "configure terminal"}
		for _, nb := range []string{"192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"} {
			c = append(c, "-c", fmt.Sprintf("no ip prefix-list %s-allowed-ipv4 seq %d permit %s", nb, n+1, one))
		}
		c = append(c, "-c", "router bgp 64512", "-c", "address-family ipv4 unicast", "-c", "no network "+one.String())
		step("incremental -1 (vtysh -c ...)", vtysh(c...)...)
		step("frr-reload --reload (no change)", applyArgv(cfg.reloadCmd, conf)...)
	}
}

func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

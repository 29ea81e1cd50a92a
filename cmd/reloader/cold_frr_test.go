package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/convert"
	"github.com/frrk8s/frrk8s/internal/frr"
	"github.com/frrk8s/frrk8s/internal/frrtest"
)

// coldSizeEnv sets the number of prefixes of TestReloaderColdLoadWithFRR
// (default coldSize): the advertise benchmark's N = 10,000 reproduces its
// cold load in a few minutes.
const coldSizeEnv = "FRRK8S_RELOADER_COLD_N"

// coldSize keeps the test within seconds on FRR 8.4.
const coldSize = 50

// markColdAfterEmpty is printed when a file follows one without routers.
const markColdAfterEmpty = "holds no router: cold start"

// daemonConfigs renders, as /frr-k8s does, the empty configuration it
// hands off before any FRRConfiguration, and the advertise benchmark's
// configuration: one router, 4 neighbors, n /32 prefixes advertised to all
// of them.
func daemonConfigs(t *testing.T, n int) (empty, advertise string) {
	t.Helper()
	hostname, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	opts := frr.RenderOptions{Hostname: hostname}
	empty, err = frr.Render(&frr.Config{LogLevel: frr.LogLevelFor("info")}, opts)
	if err != nil {
		t.Fatal(err)
	}
	prefixes := make([]string, n)
	for i := range n {
		prefixes[i] = fmt.Sprintf("198.18.%d.%d/32", (i+1)>>8, (i+1)&0xff)
	}
	connect := metav1.Duration{Duration: time.Second}
	var neighbors []v1beta1.Neighbor
	for _, s := range [][2]string{{"192.0.2.1", "192.0.2.2"}, {"192.0.2.11", "192.0.2.21"}, {"192.0.2.12", "192.0.2.22"}, {"192.0.2.13", "192.0.2.23"}} {
		neighbors = append(neighbors, v1beta1.Neighbor{ASN: 64513, Address: s[1], SourceAddress: s[0], ConnectTime: &connect,
			ToAdvertise: v1beta1.Advertise{Allowed: v1beta1.AllowedOutPrefixes{Prefixes: prefixes}}})
	}
	cfg := v1beta1.FRRConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "advertise", Namespace: "frr-k8s-system"},
		Spec: v1beta1.FRRConfigurationSpec{BGP: v1beta1.BGPConfig{Routers: []v1beta1.Router{{
			ASN: 64512, Prefixes: prefixes, Neighbors: neighbors,
		}}}},
	}
	model, err := convert.Convert(convert.Input{Configs: []v1beta1.FRRConfiguration{cfg}, LogLevel: "info"})
	if err != nil {
		t.Fatal(err)
	}
	advertise, err = frr.Render(model, opts)
	if err != nil {
		t.Fatal(err)
	}
	return empty, advertise
}

// TestReloaderColdLoadWithFRR drives the reloader as /frr-k8s does at
// start, on every FRR version: the empty configuration first, then a
// configuration with a router and its filters, which is loaded like a cold
// start (one `vtysh -f`, proven by a `frr-reload.py --test` that finds
// nothing). A line of the empty configuration that the next one drops is a
// difference the proof finds: that load falls back to the full apply.
func TestReloaderColdLoadWithFRR(t *testing.T) {
	n := coldSize
	if s := os.Getenv(coldSizeEnv); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			t.Fatalf("%s=%q is not a positive count", coldSizeEnv, s)
		}
		n = v
	}
	frrtest.ForEachVersion(t, func(t *testing.T, v frrtest.Version) {
		testReloaderColdLoad(t, v.Backend, n)
	})
}

func testReloaderColdLoad(t *testing.T, b frrtest.Backend, n int) {
	topo := frrtest.NewTopology(t)
	node := frrtest.StartFRR(t, topo.Node, "node", frrtest.WithBackend(b), frrtest.WithWatchfrr())
	p := startProcess(t, t.TempDir(), append(node.Env(), "FRR_RELOADER_FULL_INTERVAL=0")...)
	empty, advertise := daemonConfigs(t, n)
	last := fmt.Sprintf("198.18.%d.%d/32", n>>8, n&0xff)
	timeout := waitTimeout + time.Duration(n)*20*time.Millisecond

	// The empty configuration with one more line the next file lacks: the
	// proof after the load must see it and the full apply remove it.
	const extra = "bgp route-map delay-timer 7\n"
	out := reloadStep(t, p, empty+extra, resultSuccess)
	wantOutput(t, "empty", out, []string{markCold}, []string{markFallback})
	out = reloadStepWithin(t, p, advertise, resultSuccess, timeout)
	wantOutput(t, "advertise after a leftover", out,
		[]string{markColdAfterEmpty, markCold, "Cold load left", markFallback}, nil)
	if rc := showRunning(t, node); strings.Contains(rc, "delay-timer 7") || !strings.Contains(rc, "network "+last) {
		t.Errorf("running config after the full apply:\n%s", rc)
	}

	// Back to the empty configuration: a full apply removes the router.
	out = reloadStepWithin(t, p, empty, resultSuccess, timeout)
	wantOutput(t, "empty again", out, []string{markNotIncr}, []string{markCold})
	if rc := showRunning(t, node); strings.Contains(rc, "router bgp") {
		t.Errorf("running config still has a router:\n%s", rc)
	}

	// Then the router again, as after a daemon start: loaded and proven.
	start := time.Now()
	out = reloadStepWithin(t, p, advertise, resultSuccess, timeout)
	t.Logf("N=%d: cold load after the empty configuration: %.1f s to .status", n, time.Since(start).Seconds())
	wantOutput(t, "advertise", out, []string{markColdAfterEmpty, markCold}, []string{markFallback, "frr-reload.py --reload"})
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "Step ") || strings.HasPrefix(line, "Cold") {
			t.Log(line)
		}
	}
	if rc := readFile(t, p.volume.runningConfig); !strings.Contains(rc, "network "+last) {
		t.Errorf("running-config lacks network %s", last)
	}

	// Then one prefix added at the end, and removed, and one removed in the
	// middle: incremental changes over the cold load.
	_, more := daemonConfigs(t, n+1)
	for _, s := range []struct{ name, conf string }{{"+1", more}, {"-1", advertise}, {"-1 in the middle", strings.Replace(advertise, "    network 198.18.0.2/32\n", "", 1)}} {
		conf := s.conf
		if s.name == "-1 in the middle" {
			conf = removeEntries(t, conf, "198.18.0.2/32")
		}
		start := time.Now()
		out = reloadStepWithin(t, p, conf, resultSuccess, timeout)
		t.Logf("N=%d %s: %.1f s to .status", n, s.name, time.Since(start).Seconds())
		wantOutput(t, s.name, out, []string{markIncremental}, []string{"full apply"})
		if got, want := readFile(t, p.volume.runningConfig), showRunning(t, node); got != want {
			t.Errorf("%s: running-config is not FRR's running configuration", s.name)
		}
	}
	p.terminate(t)
}

// removeEntries drops the prefix-list entries of prefix from conf.
func removeEntries(t *testing.T, conf, prefix string) string {
	t.Helper()
	var b strings.Builder
	removed := 0
	for line := range strings.Lines(conf) {
		if strings.Contains(line, "prefix-list") && strings.HasSuffix(line, " permit "+prefix+"\n") {
			removed++
			continue
		}
		b.WriteString(line)
	}
	if removed == 0 {
		t.Fatalf("no entry of %s", prefix)
	}
	return b.String()
}

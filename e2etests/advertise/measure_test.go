package advertise

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/frrtest"
)

// peerGrace is how long after FRRNodeState reports a change the peer may
// still lack the expected set before the measurement stops as lost.
const peerGrace = 2 * time.Minute

// progressInterval is how often a long wait logs what it still waits for.
const progressInterval = time.Minute

// expectation is the state that ends a measurement.
type expectation struct {
	// routes is how many prefixes every session must have delivered to
	// the peer.
	routes int
	// present is a prefix the peer must hold from every session, absent
	// one it must hold from none; "" checks nothing.
	present, absent string
	// nodeHas and nodeLacks are text FRR's running config must contain or
	// not once the reload is done.
	nodeHas, nodeLacks string
}

// checkedPrefix is the prefix the peer is asked about, if any.
func (e expectation) checkedPrefix() string {
	if e.present != "" {
		return e.present
	}
	return e.absent
}

// peerMet reports whether the peer's view matches the expectation.
func (e expectation) peerMet(v peerView) bool {
	for _, s := range sessions {
		if v.routes[s.node.String()] != e.routes {
			return false
		}
	}
	switch {
	case e.present != "":
		return v.paths == len(sessions)
	case e.absent != "":
		return v.paths == 0
	}
	return true
}

// runningMet reports whether FRR's running config shows the change.
func (e expectation) runningMet(running string) bool {
	return (e.nodeHas == "" || strings.Contains(running, e.nodeHas)) &&
		(e.nodeLacks == "" || !strings.Contains(running, e.nodeLacks))
}

// showsRunningConfig reports whether stored is running as FRRNodeState
// stores it: whole, or cut at the 1 MiB cap and followed by the marker
// line that gives the full size. From about 4,000 prefix-list entries on,
// the stored text ends before the router section, so the size in the
// marker is what tells one large config from the next.
func showsRunningConfig(stored, running string) bool {
	if stored == running {
		return true
	}
	marker := fmt.Sprintf("! truncated: %d bytes total\n", len(running))
	cut, ok := strings.CutSuffix(stored, marker)
	return ok && strings.HasPrefix(running, cut)
}

// nodeStateMet reports whether the running-config file the reloader
// leaves after each reload satisfies cond and FRRNodeState reports that
// reload as a success.
func (b *bench) nodeStateMet(cond func(running string) bool) (bool, string) {
	data, err := os.ReadFile(filepath.Join(b.shared, "running-config"))
	if err != nil {
		return false, err.Error()
	}
	running := string(data)
	if !cond(running) {
		return false, "the reloader's running-config does not show the change yet"
	}
	return b.nodeStateHolds(func(s v1beta1.FRRNodeStateStatus) bool {
		return s.LastReloadResult == "success" && showsRunningConfig(s.RunningConfig, running)
	})
}

// measurement is the timing of one write, every duration counted from the
// moment the write to the API server started; zero means not seen.
type measurement struct {
	version, name string
	layout        string
	debounce      int // milliseconds
	n             int
	// removed is the prefix the change withdraws on purpose, "" for none.
	removed string
	// peerLogFrom is the size of the peer's bgpd log when the write
	// started; withdrawn counts the withdrawals the peer logged since, of
	// prefixes other than removed (-1: not counted).
	peerLogFrom int64
	withdrawn   int
	// peerLost, when not empty, says what the peer held when it still
	// lacked the expected set peerGrace after FRRNodeState reported the
	// change.
	peerLost string
	// confLines is the size of the rendered frr.conf (cold load only).
	confLines int
	// apiWrite is how long the Create or Update call took.
	apiWrite time.Duration
	// peer: every session delivered the expected routes; state:
	// FRRNodeState reports the successful reload.
	peer, state time.Duration
	// Reloader milestones: SIGHUP received, --test started, --reload
	// started, success printed (after `show running-config`).
	hup, test, apply, done time.Duration
	// Steps of frr-reload.py --reload, from the apply milestone on: the
	// first and second reading of FRR's running config, and the two
	// files of commands it applied (zero when a pass had nothing to add).
	show1, pass1, show2, pass2 time.Duration
	// reloads is how many reloads started during the measurement.
	reloads int
	// minRoutes is the fewest routes a session held at the peer while
	// waiting (a change that withdraws routes transiently shows here).
	minRoutes int
	// resets is how many times the peer's sessions were re-established.
	resets int
	// cpu is the CPU time used during the measurement, by process.
	cpu cpuSample
	// load is the 1-minute load average at the start and at the end.
	loadStart, loadEnd float64
}

// measure runs write and polls the peer and FRRNodeState until exp holds
// for both, recording when each got there and the reloader's milestones.
func (b *bench) measure(name string, exp expectation, timeout time.Duration, write func()) measurement {
	b.t.Helper()
	m := measurement{version: b.version, layout: b.layout.name, debounce: b.debounce, name: name, n: b.n,
		removed: exp.absent, minRoutes: math.MaxInt, loadStart: loadAverage(), withdrawn: -1}
	m.peerLogFrom = b.peerLogSize()
	cpuBefore := b.sampleCPU()
	connectionsBefore := b.peerConnections()
	start := time.Now()
	b.event("%s: write", name)
	write()
	m.apiWrite = time.Since(start)
	lastReport := start
	err := frrtest.Poll(timeout, func() (bool, string) {
		var seen []string
		// The peer is watched until both hold, so that a transient
		// withdrawal during the reload shows in minRoutes.
		view, err := b.observePeer(exp.checkedPrefix())
		switch {
		case err != nil:
			seen = append(seen, err.Error())
		default:
			m.minRoutes = min(m.minRoutes, view.fewest())
			if m.peer == 0 && exp.peerMet(view) {
				m.peer = time.Since(start)
				b.event("%s: peer holds the set", name)
			}
			if m.peer == 0 {
				seen = append(seen, fmt.Sprintf("peer: routes per session %v, %d paths to %q", view.routes, view.paths, exp.checkedPrefix()))
			}
		}
		if m.state == 0 {
			ok, msg := b.nodeStateMet(exp.runningMet)
			if ok {
				m.state = time.Since(start)
				b.event("%s: FRRNodeState reports it", name)
			} else {
				seen = append(seen, msg)
			}
		}
		if b.daemon.Exited() || b.reloader.Exited() {
			b.t.Fatalf("%s: a process under test exited", name)
		}
		if time.Since(lastReport) >= progressInterval {
			lastReport = time.Now()
			b.t.Logf("%s: %.0f s, still waiting: %s", name, time.Since(start).Seconds(), strings.Join(seen, "; "))
		}
		if m.state > 0 && m.peer == 0 && time.Since(start)-m.state > peerGrace {
			// FRR runs the change but the peer does not get the set:
			// routes were lost, waiting longer will not help.
			m.peerLost = strings.Join(seen, "; ")
			return true, ""
		}
		return m.peer > 0 && m.state > 0, strings.Join(seen, "; ")
	})
	if err != nil {
		b.t.Fatalf("%s on %s with N=%d: %v", name, b.version, b.n, err)
	}
	m.cpu = b.sampleCPU().since(cpuBefore)
	m.resets = b.peerConnections() - connectionsBefore
	m.loadEnd = loadAverage()
	b.reloaderMilestones(&m, start)
	return m
}

// reloaderMilestones fills in when the reloader reached each step.
func (b *bench) reloaderMilestones(m *measurement, start time.Time) {
	out := b.reloaderOut
	at := func(marker string) time.Duration {
		if t, ok := out.first(marker, start); ok {
			return t.Sub(start)
		}
		return 0
	}
	m.hup, m.test, m.apply, m.done = at(markHUP), at(markTest), at(markApply), at(markSuccess)
	m.reloads = out.count(markTest, start)
	if m.apply == 0 {
		return
	}
	// The --test run's log reaches stdout only after it ended, before the
	// apply milestone; the lines after it are the --reload run's.
	applied := start.Add(m.apply)
	nth := func(marker string, k int) time.Duration {
		if t, ok := out.nth(marker, applied, k); ok {
			return t.Sub(start)
		}
		return 0
	}
	m.show1, m.pass1 = nth(markShowRunning, 1), nth(markPassFile, 1)
	m.show2, m.pass2 = nth(markShowRunning, 2), nth(markPassFile, 2)
}

// reloadSteps describes where frr-reload.py --reload spent its time:
// reading the new file, reading FRR's config and diffing, applying pass 1
// (vtysh -f), diffing again, and applying pass 2 plus the final write and
// the reloader's show running-config.
func (m measurement) reloadSteps() string {
	if m.pass1 == 0 || m.show2 == 0 || m.pass2 == 0 || m.done == 0 {
		return "–"
	}
	return fmt.Sprintf("%s / %s / %s / %s / %s", span(m.apply, m.show1), span(m.show1, m.pass1),
		span(m.pass1, m.show2), span(m.show2, m.pass2), span(m.pass2, m.done))
}

// sampleCPU samples the CPU time of the node's FRR and of the processes
// under test.
func (b *bench) sampleCPU() cpuSample {
	b.t.Helper()
	s, err := sampleCPU(b.frrNode.Namespace().Name, b.reloader.Pid(), b.daemon.Pid())
	if err != nil {
		b.t.Fatalf("sample CPU: %v", err)
	}
	return s
}

// peerConnections is how many times the peer's sessions have been
// established, summed over the sessions.
func (b *bench) peerConnections() int {
	b.t.Helper()
	var neighbors map[string]struct {
		ConnectionsEstablished int `json:"connectionsEstablished"`
	}
	if err := b.peer.VtyshJSON("show bgp neighbors json", &neighbors); err != nil {
		b.t.Fatalf("read the peer's sessions: %v", err)
	}
	total := 0
	for _, n := range neighbors {
		total += n.ConnectionsEstablished
	}
	return total
}

// peerView is what the peer holds.
type peerView struct {
	// routes is the number of prefixes accepted per session, by the
	// node's address; a session that is not Established counts 0.
	routes map[string]int
	// paths is the number of paths to the checked prefix.
	paths int
}

// fewest is the smallest per-session route count.
func (v peerView) fewest() int {
	fewest := math.MaxInt
	for _, s := range sessions {
		fewest = min(fewest, v.routes[s.node.String()])
	}
	return fewest
}

// observePeer asks the peer for its sessions and, when prefix is not "",
// for its paths to prefix, in one vtysh call.
func (b *bench) observePeer(prefix string) (peerView, error) {
	commands := []string{"show bgp ipv4 unicast summary json"}
	if prefix != "" {
		commands = append(commands, "show bgp ipv4 unicast "+prefix+" json")
	}
	// vtysh exits non-zero when the prefix is not in the table; the
	// summary printed before is still complete.
	out, vtyshErr := b.peer.Vtysh(commands...)
	dec := json.NewDecoder(strings.NewReader(out))
	var summary struct {
		Peers map[string]struct {
			State  string `json:"state"`
			PfxRcd int    `json:"pfxRcd"`
		} `json:"peers"`
	}
	if err := dec.Decode(&summary); err != nil {
		return peerView{}, errors.Join(fmt.Errorf("decode the peer's summary: %w", err), vtyshErr)
	}
	view := peerView{routes: map[string]int{}}
	for addr, p := range summary.Peers {
		if p.State == frrtest.BGPEstablished {
			view.routes[addr] = p.PfxRcd
		}
	}
	if prefix == "" {
		return view, nil
	}
	var route struct {
		Paths []json.RawMessage `json:"paths"`
	}
	// A prefix that is not in the table prints {} or a warning, or nothing.
	if err := dec.Decode(&route); err != nil && !errors.Is(err, io.EOF) {
		var syntax *json.SyntaxError
		if !errors.As(err, &syntax) {
			return peerView{}, fmt.Errorf("decode the peer's route to %s: %w", prefix, err)
		}
	}
	view.paths = len(route.Paths)
	return view, nil
}

// seconds formats a duration as seconds with one decimal, "–" for zero.
func seconds(d time.Duration) string {
	if d == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f", d.Seconds())
}

// span formats the time between two milestones, "–" when one is missing.
func span(from, to time.Duration) string {
	if from == 0 || to == 0 {
		return "–"
	}
	return seconds(to - from)
}

// logLine is a one-line summary of a measurement for the test log.
func (m measurement) logLine() string {
	lost := ""
	if m.peerLost != "" {
		lost = "; PEER NEVER GOT THE SET: " + m.peerLost
	}
	return lost + fmt.Sprintf("%s %s debounce %d ms N=%d %s: peer %ss, FRRNodeState %ss; withdrawn at the peer (other prefixes) %s; "+
		"reloader: SIGHUP %ss, --test %ss, --reload+show %ss, reloads %d; "+
		"--reload steps (read / diff 1 / apply 1 / diff 2 / apply 2+show) %s; fewest routes %s; session resets %d; api write %ss; CPU: %s; load %.1f→%.1f",
		m.version, m.layout, m.debounce, m.n, m.name, seconds(m.peer), seconds(m.state), m.withdrawnText(), seconds(m.hup), span(m.test, m.apply),
		span(m.apply, m.done), m.reloads, m.reloadSteps(), m.fewestRoutes(), m.resets, seconds(m.apiWrite), m.cpu, m.loadStart, m.loadEnd)
}

// withdrawnText formats withdrawn, "–" when it was not counted.
func (m measurement) withdrawnText() string {
	if m.withdrawn < 0 {
		return "–"
	}
	return fmt.Sprint(m.withdrawn)
}

// fewestRoutes formats minRoutes; nothing was sampled when the first
// sample already met the expectation.
func (m measurement) fewestRoutes() string {
	if m.minRoutes == math.MaxInt {
		return "–"
	}
	return fmt.Sprint(m.minRoutes)
}

// changeGroup is the key the summary groups repeated changes by.
type changeGroup struct {
	version, layout, name string
	debounce, n           int
}

// summary is the repeated measurements of one change.
type summary struct {
	changeGroup
	runs                    int
	peerP50, stateP50       time.Duration
	peerMax, stateMax       time.Duration
	withdrawnMax, fewestMin int
	resets                  int
}

// summarize groups the measurements by change, in the order first seen.
func summarize(results []measurement) []summary {
	var order []changeGroup
	groups := map[changeGroup][]measurement{}
	for _, m := range results {
		g := changeGroup{version: m.version, layout: m.layout, name: m.name, debounce: m.debounce, n: m.n}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], m)
	}
	var res []summary
	for _, g := range order {
		ms := groups[g]
		s := summary{changeGroup: g, runs: len(ms), withdrawnMax: -1, fewestMin: math.MaxInt}
		var peers, states []time.Duration
		for _, m := range ms {
			peers, states = append(peers, m.peer), append(states, m.state)
			s.withdrawnMax = max(s.withdrawnMax, m.withdrawn)
			s.fewestMin = min(s.fewestMin, m.minRoutes)
			s.resets += m.resets
		}
		s.peerP50, s.peerMax = median(peers), slices.Max(peers)
		s.stateP50, s.stateMax = median(states), slices.Max(states)
		res = append(res, s)
	}
	return res
}

// median is the middle value (the lower of the two middle ones).
func median(ds []time.Duration) time.Duration {
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	return sorted[(len(sorted)-1)/2]
}

// logTables logs the results as the Markdown tables of
// docs/advertise-benchmark.md.
func logTables(t *testing.T, results []measurement) {
	if len(results) == 0 {
		return
	}
	var b strings.Builder
	b.WriteString("\nSummary (seconds from the FRRConfiguration write; p50 and max over the runs):\n\n")
	b.WriteString("| FRR | layout | debounce ms | N | change | runs | peer p50 | peer max | FRRNodeState p50 | FRRNodeState max | withdrawn at peer (other prefixes, max) | fewest routes at peer | session resets |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, s := range summarize(results) {
		fewest := "–"
		if s.fewestMin != math.MaxInt {
			fewest = fmt.Sprint(s.fewestMin)
		}
		withdrawn := "–"
		if s.withdrawnMax >= 0 {
			withdrawn = fmt.Sprint(s.withdrawnMax)
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %s | %d | %s | %s | %s | %s | %s | %s | %d |\n",
			s.version, s.layout, s.debounce, s.n, s.name, s.runs, seconds(s.peerP50), seconds(s.peerMax),
			seconds(s.stateP50), seconds(s.stateMax), withdrawn, fewest, s.resets)
	}
	b.WriteString("\nCold load (seconds from the FRRConfiguration create):\n\n")
	b.WriteString("| FRR | layout | debounce ms | N | prefix-list entries | frr.conf lines | FRRNodeState success | peer holds N ×4 | node FRR CPU s | reload tools CPU s | frr-k8s CPU s | load 1 min |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, m := range results {
		if m.name != "cold" {
			continue
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d | %s | %s | %.1f | %.1f | %.1f | %.1f→%.1f |\n",
			m.version, m.layout, m.debounce, m.n, m.n*len(sessions), m.confLines,
			seconds(m.state), seconds(m.peer), m.cpu.frrTotal().Seconds(), m.cpu[cpuReloadTools].Seconds(),
			m.cpu[cpuDaemon].Seconds(), m.loadStart, m.loadEnd)
	}
	b.WriteString("\nEvery one-prefix change (seconds from the FRRConfiguration update):\n\n")
	b.WriteString("| FRR | layout | debounce ms | N | change | peer sees it ×4 | FRRNodeState success | SIGHUP | withdrawn at peer (other prefixes) | fewest routes at peer | session resets | node FRR CPU s | reload tools CPU s | load 1 min |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, m := range results {
		if m.name == "cold" {
			continue
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %s | %s | %s | %s | %s | %s | %d | %.1f | %.1f | %.1f→%.1f |\n",
			m.version, m.layout, m.debounce, m.n, m.name, seconds(m.peer), seconds(m.state), seconds(m.hup),
			m.withdrawnText(), m.fewestRoutes(), m.resets, m.cpu.frrTotal().Seconds(), m.cpu[cpuReloadTools].Seconds(),
			m.loadStart, m.loadEnd)
	}
	t.Log(b.String())
}

package daemon

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/frrtest"
)

// Environment variables of the fault tests.
const (
	// outageEnv sets how long TestAPIServerOutage keeps the API server
	// down, as a Go duration; "2m" is the full outage of the issue.
	outageEnv = "FRRK8S_FAULTS_APISERVER_OUTAGE"
	// convergeEnv bounds, as a Go duration, how long TestBGPDRestart
	// waits for the node to converge back without an API write.
	convergeEnv = "FRRK8S_FAULTS_CONVERGE_TIMEOUT"
)

// Defaults of the fault tests: short enough for `make test`.
const (
	defaultOutage         = 20 * time.Second
	defaultConvergeBudget = 3 * time.Minute
)

// durationFromEnv reads a Go duration from env, def when unset.
func durationFromEnv(t testing.TB, env string, def time.Duration) time.Duration {
	t.Helper()
	v := os.Getenv(env)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		t.Fatalf("%s=%q is not a positive duration", env, v)
	}
	return d
}

// slowReloadWrapper wraps FRR_RELOAD_CMD. While the hold file (first
// argument) exists, a frr-reload.py --reload writes the wrapper's pid to
// the started file (second argument) and waits; then it runs the real
// command. The wait runs in the reloader's direct child, so a reloader that
// takes its children down with it takes the wait down too.
const slowReloadWrapper = `#!/bin/sh
hold=$1; started=$2; shift 2
case " $* " in
*" --reload "*)
	if [ -e "$hold" ]; then
		echo $$ > "$started"
		while [ -e "$hold" ]; do sleep 0.1; done
	fi
	;;
esac
exec "$@"
`

// holdReloads makes the reloader's frr-reload.py --reload runs wait while
// the returned hold file exists; started receives the waiting pid. It must
// be called before startReloader.
func (e *e2e) holdReloads(t testing.TB) (hold, started string) {
	t.Helper()
	dir := t.TempDir()
	wrapper := filepath.Join(dir, "slow-reload")
	if err := os.WriteFile(wrapper, []byte(slowReloadWrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	hold, started = filepath.Join(dir, "hold"), filepath.Join(dir, "started")
	e.reloaderEnv = append(e.reloaderEnv,
		fmt.Sprintf("FRR_RELOAD_CMD=%s %s %s %s", wrapper, hold, started, e.frrNode.ReloadCmd()))
	return hold, started
}

// TestReloaderKilledMidReload kills the reloader with SIGKILL while it
// applies a change (held in frr-reload.py --reload), then starts a new
// one: the daemon notices that the hand-off got no answer from the
// reloader it signalled and sends it again, and FRR ends with the change
// and FRRNodeState with a success.
func TestReloaderKilledMidReload(t *testing.T) {
	frrtest.ForEachVersion(t, func(t *testing.T, v frrtest.Version) {
		e := newE2EWith(t, v.Backend, 10, func(e *e2e) {
			hold, started := e.holdReloads(t)
			e.reloadHold, e.reloadStarted = hold, started
		})
		testReloaderKilledMidReload(t, e)
	})
}

func testReloaderKilledMidReload(t *testing.T, e *e2e) {
	cfg := e.session
	e.step(t, "Session up")
	e.frrNode.WaitEstablished(t, neighborAddress, waitTimeout)
	e.waitRoutes(t, e.peer, []string{advertised}, []string{notAdvertised})
	e.waitNodeState(t, "success", func(s v1beta1.FRRNodeStateStatus) bool {
		return s.LastReloadResult == "success" && strings.Contains(s.RunningConfig, "router bgp 64512")
	})
	sessions := e.sessionCounters(t)

	e.step(t, "A change is held in the middle of its reload")
	// A new connect timer is not an incremental change: the change goes
	// through frr-reload.py --reload, where the wrapper holds it.
	if err := os.WriteFile(e.reloadHold, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	e.update(t, cfg, func() {
		r := &cfg.Spec.BGP.Routers[0]
		r.Prefixes = append(r.Prefixes, faultPrefix)
		r.Neighbors[0].ToAdvertise.Allowed.Prefixes = []string{advertised, notAdvertised, faultPrefix}
		r.Neighbors[0].ConnectTime = &metav1.Duration{Duration: 2 * connectTime}
	})
	frrtest.WaitFor(t, waitTimeout, func() (bool, string) {
		_, err := os.Stat(e.reloadStarted)
		return err == nil, "waiting for the reloader to reach frr-reload.py --reload"
	})

	e.step(t, "The reloader is killed and a new one started")
	waiting := e.reloader.Pid()
	_ = e.reloader.Cmd.Process.Kill()
	frrtest.WaitFor(t, waitTimeout, func() (bool, string) { return e.reloader.Exited(), "the killed reloader to exit" })
	killOrphan(t, e.reloadStarted)
	if err := os.Remove(e.reloadHold); err != nil {
		t.Fatal(err)
	}
	e.startReloader(t)
	if e.reloader.Pid() == waiting {
		t.Fatal("the new reloader has the old pid")
	}

	e.step(t, "The daemon sends the change again; FRR runs it")
	e.waitRoutes(t, e.peer, []string{advertised, notAdvertised, faultPrefix}, nil)
	e.waitNodeState(t, "success", func(s v1beta1.FRRNodeStateStatus) bool {
		return s.LastReloadResult == "success" && strings.Contains(s.RunningConfig, "network "+faultPrefix)
	})
	if !strings.Contains(e.runningConfig(t), "timers connect 2") {
		t.Error("FRR does not run the whole change")
	}
	if !strings.Contains(e.daemon.Out.String(), "the reloader restarted before reporting the reload") {
		t.Error("the daemon did not log that it re-sent the lost reload")
	}
	e.checkNoFlap(t, sessions)
}

// faultPrefix is originated and advertised by the changes of the fault
// tests.
const faultPrefix = "203.0.113.128/26"

// killOrphan kills the held frr-reload.py wrapper whose pid is in
// started, if it outlived the reloader (a reloader whose children do not
// die with it).
func killOrphan(t testing.TB, started string) {
	t.Helper()
	b, err := os.ReadFile(started)
	if err != nil {
		return
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return
	}
	if p, err := os.FindProcess(pid); err == nil {
		_ = p.Kill()
	}
}

// Reloader settings of TestBGPDRestart: the restart watcher checks every
// 2 s (10 s in production), and the periodic full apply is out of the way,
// so that the watcher is what repairs bgpd.
const (
	testWatchInterval = 2 * time.Second
	testFullInterval  = time.Hour
)

// TestBGPDRestart kills the node's bgpd and starts it again with an empty
// configuration, as watchfrr does after a crash: without any API write,
// the reloader's restart watcher notices the new bgpd and repairs it, the
// session comes back, the peer gets the routes again and FRRNodeState
// reports the repair's success.
func TestBGPDRestart(t *testing.T) {
	frrtest.ForEachVersion(t, func(t *testing.T, v frrtest.Version) {
		e := newE2EWith(t, v.Backend, 10, func(e *e2e) {
			e.reloaderEnv = append(e.reloaderEnv,
				fmt.Sprintf("FRR_RELOADER_WATCH_INTERVAL=%v", testWatchInterval),
				fmt.Sprintf("FRR_RELOADER_FULL_INTERVAL=%v", testFullInterval))
		})
		e.step(t, "Session up")
		e.frrNode.WaitEstablished(t, neighborAddress, waitTimeout)
		e.waitRoutes(t, e.peer, []string{advertised}, []string{notAdvertised})
		e.waitNodeState(t, "success", func(s v1beta1.FRRNodeStateStatus) bool {
			return s.LastReloadResult == "success" && strings.Contains(s.RunningConfig, "router bgp 64512")
		})

		e.step(t, "bgpd killed and restarted empty")
		if err := e.frrNode.KillDaemon("bgpd"); err != nil {
			t.Fatal(err)
		}
		if err := e.frrNode.RestartDaemon("bgpd"); err != nil {
			t.Fatal(err)
		}
		budget := durationFromEnv(t, convergeEnv, defaultConvergeBudget)
		e.step(t, "Converging back without an API write")
		frrtest.WaitFor(t, budget, func() (bool, string) {
			running := e.runningConfig(t)
			return strings.Contains(running, "router bgp 64512") && strings.Contains(running, "network "+advertised),
				"the node's bgpd runs the last config again"
		})
		e.frrNode.WaitEstablished(t, neighborAddress, waitTimeout)
		e.waitRoutes(t, e.peer, []string{advertised}, []string{notAdvertised})
		e.waitRoutes(t, e.frrNode, []string{accepted}, []string{notAccepted})
		e.waitNodeState(t, "success", func(s v1beta1.FRRNodeStateStatus) bool {
			return s.LastReloadResult == "success" && strings.Contains(s.RunningConfig, "network "+advertised)
		})
		if !strings.Contains(e.reloader.Out.String(), "FRR daemons restarted since the last apply") {
			t.Error("the reloader's restart watcher did not repair bgpd")
		}
		e.step(t, "done")
	})
}

// TestAPIServerOutage stops the API server (FRRK8S_FAULTS_APISERVER_OUTAGE,
// 20 s by default, 2m for the full outage): FRR keeps running its config,
// the session stays up and the peer keeps its routes; once the API server
// is back, a change made then reaches FRR and FRRNodeState.
func TestAPIServerOutage(t *testing.T) {
	outage := durationFromEnv(t, outageEnv, defaultOutage)
	frrtest.ForEachVersion(t, func(t *testing.T, v frrtest.Version) {
		e := newE2E(t, v.Backend, 10)
		cfg := e.session
		e.step(t, "Session up")
		e.frrNode.WaitEstablished(t, neighborAddress, waitTimeout)
		e.waitRoutes(t, e.peer, []string{advertised}, []string{notAdvertised})
		e.waitRoutes(t, e.frrNode, []string{accepted}, []string{notAccepted})
		e.waitNodeState(t, "success", func(s v1beta1.FRRNodeStateStatus) bool {
			return s.LastReloadResult == "success" && strings.Contains(s.RunningConfig, "router bgp 64512")
		})
		sessions := e.sessionCounters(t)
		running := e.runningConfig(t)

		e.step(t, fmt.Sprintf("API server down for %v", outage))
		stopAPIServer(t)
		for end := time.Now().Add(outage); time.Now().Before(end); {
			time.Sleep(min(5*time.Second, time.Until(end)))
			if got := e.runningConfig(t); got != running {
				t.Errorf("FRR's running config changed during the outage:\nbefore:\n%s\nafter:\n%s", running, got)
			}
			e.waitRoutes(t, e.peer, []string{advertised}, []string{notAdvertised})
			e.checkNoFlap(t, sessions)
			if e.daemon.Exited() || e.reloader.Exited() {
				t.Fatal("a process under test exited during the outage")
			}
		}
		startAPIServer(t)

		e.step(t, "API server back: a change reaches FRR")
		e.update(t, cfg, func() {
			cfg.Spec.BGP.Routers[0].Neighbors[0].ToAdvertise.Allowed.Prefixes = []string{advertised, notAdvertised}
		})
		// The daemon's informers reconnect with client-go's backoff, which
		// after an outage took 40-60 s on a loaded machine.
		e.waitRoutesWithin(t, 2*time.Minute, e.peer, []string{advertised, notAdvertised}, nil)
		e.waitNodeState(t, "success", func(s v1beta1.FRRNodeStateStatus) bool {
			return s.LastReloadResult == "success" &&
				strings.Contains(s.RunningConfig, "permit "+notAdvertised)
		})
		e.checkNoFlap(t, sessions)
		e.step(t, "done")
	})
}

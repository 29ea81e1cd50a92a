package main

import (
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/frrk8s/frrk8s/internal/frrtest"
)

// TestReloaderOtherSessionsWithFRR: other configuration sessions on the
// node's FRR. First one holds FRR's configuration lock (see
// testConfigLock); then one changes a line outside frr-k8s' change
// (testDrift).
func TestReloaderOtherSessionsWithFRR(t *testing.T) {
	frrtest.ForEachVersion(t, func(t *testing.T, v frrtest.Version) {
		topo := frrtest.NewTopology(t)
		node := frrtest.StartFRR(t, topo.Node, "node", frrtest.WithBackend(v.Backend))
		peer := frrtest.StartFRR(t, topo.Peer, "peer", frrtest.WithBackend(v.Backend))
		if err := peer.ApplyConfig(peerConfig); err != nil {
			t.Fatal(err)
		}
		p := startProcess(t, t.TempDir(), append(node.Env(), "FRR_RELOADER_FULL_INTERVAL=0", "FRR_RELOADER_VTYSH_TIMEOUT=5s")...)
		base := nodeConfig(t)
		reloadStep(t, p, base, resultSuccess)
		node.WaitEstablished(t, topo.Peer.Addr4().String(), sessionTimeout)
		added := testConfigLock(t, v, node, p, base)
		waitRoute(t, peer, "198.51.100.0/24")
		testDrift(t, node, p, base, added)
		waitNoRoute(t, peer, "198.51.100.0/24")
		p.terminate(t)
	})
}

// testConfigLock holds FRR's configuration lock in another vtysh session (`configure terminal file-lock`, what vtysh -f and
// frr-reload.py take) while the reloader applies an incremental change. On
// FRR 10, whose mgmtd makes vtysh wait for the lock without a bound, the
// reloader kills the stuck vtysh after FRR_RELOADER_VTYSH_TIMEOUT and
// reports a failure that names the lock; on FRR 8.4 the change goes
// through. Once the session ends, the same file applies.
// It returns the file applied last (base with one more prefix).
func testConfigLock(t *testing.T, v frrtest.Version, node *frrtest.Instance, p *process, base string) string {
	t.Helper()
	{
		release := holdConfigLock(t, node)
		added := strings.Replace(base, "ip prefix-list 192.0.2.2-allowed-ipv4 seq 1 permit 192.0.2.128/26\n",
			"ip prefix-list 192.0.2.2-allowed-ipv4 seq 1 permit 192.0.2.128/26\nip prefix-list 192.0.2.2-allowed-ipv4 seq 2 permit 198.51.100.0/24\n", 1)
		added = strings.Replace(added, "    network 192.0.2.128/26\n", "    network 192.0.2.128/26\n    network 198.51.100.0/24\n", 1)
		if v.Name == "frr10" {
			out := reloadStep(t, p, added, resultFailure)
			wantOutput(t, "locked", out, []string{markIncremental, "timed out after 5.6s"}, []string{"frr-reload.py --reload"})
			if le := readFile(t, p.volume.lastError); !strings.Contains(le, "configuration lock") {
				t.Errorf("last-error does not name the lock:\n%s", le)
			}
			release()
			// Nothing is known after the failure: the retry is a full apply.
			out = reloadStep(t, p, added, resultSuccess)
			wantOutput(t, "retry", out, []string{"frr-reload.py --reload"}, nil)
		} else {
			out := reloadStep(t, p, added, resultSuccess)
			wantOutput(t, "locked", out, []string{markIncremental}, []string{"timed out"})
			release()
		}
		return added
	}
}

// testDrift changes a line of the node's FRR that frr-k8s' next change
// does not touch: the incremental apply's read-back notices it, and the
// full apply that follows puts the file's configuration back.
func testDrift(t *testing.T, node *frrtest.Instance, p *process, base, added string) {
	t.Helper()
	if out, err := node.Vtysh("configure terminal", "router bgp 64512", "neighbor 192.0.2.2 description intruder"); err != nil {
		t.Fatalf("change the node's FRR: %v\n%s", err, out)
	}
	out := reloadStep(t, p, base, resultSuccess)
	wantOutput(t, "drift", out, []string{markIncremental, "drifted outside the change", markFallback}, nil)
	if rc := readFile(t, p.volume.runningConfig); strings.Contains(rc, "intruder") {
		t.Errorf("the full apply left the other session's line:\n%s", rc)
	}
}

// holdConfigLock opens an interactive vtysh on inst that enters
// `configure terminal file-lock` and stays there until the returned
// function ends the session.
func holdConfigLock(t *testing.T, inst *frrtest.Instance) func() {
	t.Helper()
	argv := strings.Fields(inst.VtyshCmd())
	cmd := exec.Command(argv[0], argv[1:]...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(stdin, "configure terminal file-lock\n"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // vtysh reads its commands from the pipe by then
	done := false
	release := func() {
		if done {
			return
		}
		done = true
		_, _ = io.WriteString(stdin, "end\nexit\n")
		_ = stdin.Close()
		if err := cmd.Wait(); err != nil {
			t.Logf("the locking vtysh session: %v\n%s", err, out.String())
		}
	}
	t.Cleanup(release)
	return release
}

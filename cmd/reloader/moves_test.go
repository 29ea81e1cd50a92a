package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMovesBeforeFullApply: a reloader that applied nothing yet meets an FRR
// that runs positional numbers: before frr-reload.py, one vtysh session
// moves each renumbered entry (deleted right before it is re-added), and a
// failure of that session does not stop the full apply.
func TestMovesBeforeFullApply(t *testing.T) {
	const running = `frr version 8.4.4
router bgp 64512
ip prefix-list L seq 5 permit 10.0.0.0/8
ip prefix-list L seq 10 permit 10.1.0.0/16
ip prefix-list L seq 15 deny any
ip prefix-list gone seq 5 permit 10.9.0.0/16
`
	const conf = `router bgp 64512
ip prefix-list L seq 4000000000 permit 10.0.0.0/8
ip prefix-list L seq 77 permit 10.2.0.0/16
ip prefix-list L seq 4294967295 deny any
`
	for _, tc := range []struct {
		name      string
		conf      string
		movesExit int
		wantMoves string
		wantOut   []string
	}{
		{
			name: "moved",
			conf: conf,
			wantMoves: "no ip prefix-list L seq 5 permit 10.0.0.0/8\nip prefix-list L seq 4000000000 permit 10.0.0.0/8\n" +
				"no ip prefix-list L seq 15 deny any\nip prefix-list L seq 4294967295 deny any\n",
			wantOut: []string{markMoving + " 2 entries, 4 commands", "FRR reloaded successfully"},
		},
		{
			name:      "the moves fail",
			conf:      conf,
			movesExit: 1,
			wantMoves: "no ip prefix-list L seq 5 permit 10.0.0.0/8\nip prefix-list L seq 4000000000 permit 10.0.0.0/8\n" +
				"no ip prefix-list L seq 15 deny any\nip prefix-list L seq 4294967295 deny any\n",
			wantOut: []string{markMoveFails + " (vtysh -f: ", "exit status 1): the full apply goes on", "FRR reloaded successfully"},
		},
		{
			name:    "nothing to move",
			conf:    strings.ReplaceAll(running, "frr version 8.4.4\n", ""),
			wantOut: []string{"FRR reloaded successfully"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, fake{running: running})
			h.reload.cfg.legacy = false
			writeFile(t, h.reload.paths.config, tc.conf)
			bin := t.TempDir()
			seen := filepath.Join(bin, "moves.seen")
			writeFile(t, filepath.Join(bin, "running"), running)
			vtysh := writeScript(t, bin, "vtysh", fmt.Sprintf(`echo "vtysh $*" >> %q
case "$*" in
*--dryrun*) exit 0 ;;
*"-f "*) cp "$2" %q; echo "moves output"; exit %d ;;
*"show modules"*) printf 'Module information for bgpd:\npid: 42\n' ;;
*) cat %q ;;
esac
`, h.calls, seen, tc.movesExit, filepath.Join(bin, "running")))
			h.reload.cfg.vtyshCmd = []string{"/bin/sh", vtysh}
			h.reload.reload()

			if got := h.file(t, ".status"); got != "1700000000 success" {
				t.Errorf(".status = %q:\n%s", got, h.out.String())
			}
			wantCalls := []string{
				"vtysh --dryrun -f " + h.reload.paths.config,
				"vtysh -c show running-conf", // applyFirst: not start-up only; the move pass plans from it
			}
			if tc.wantMoves != "" {
				wantCalls = append(wantCalls, "vtysh -f "+filepath.Join(h.dir, movesFile))
			}
			wantCalls = append(wantCalls,
				"reload --rundir /run/x --reload --overwrite --stdout "+h.reload.paths.config,
				"vtysh -c show running-conf",
				"vtysh -c show modules")
			if diff := cmp.Diff(wantCalls, h.callLog(t)); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			got, err := os.ReadFile(seen)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantMoves, string(got)); diff != "" {
				t.Errorf("moves.conf (-want +got):\n%s", diff)
			}
			if _, err := os.Stat(filepath.Join(h.dir, movesFile)); !os.IsNotExist(err) {
				t.Errorf("moves.conf left behind (%v)", err)
			}
			wantOutput(t, tc.name, h.out.String(), tc.wantOut, nil)
		})
	}
}

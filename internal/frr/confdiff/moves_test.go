package confdiff

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPlanMoves(t *testing.T) {
	const l = "ip prefix-list L "
	lines := func(ls ...string) string { return strings.Join(ls, "\n") + "\n" }
	tests := []struct {
		name          string
		running, want string
		commands      []string
		moved         int
	}{
		{name: "nothing changes", running: base, want: base},
		{name: "added and removed entries are not moves",
			running: lines(l+"seq 1 permit 10.0.0.0/8", l+"seq 2 permit 10.1.0.0/16"),
			want:    lines(l+"seq 1 permit 10.0.0.0/8", l+"seq 3 permit 10.2.0.0/16")},
		{name: "one entry renumbered",
			running:  lines(l+"seq 1 permit 10.0.0.0/8", l+"seq 2 permit 10.1.0.0/16 le 24"),
			want:     lines(l+"seq 1 permit 10.0.0.0/8", l+"seq 9 permit 10.1.0.0/16 le 24"),
			commands: []string{"no " + l + "seq 2 permit 10.1.0.0/16 le 24", l + "seq 9 permit 10.1.0.0/16 le 24"},
			moved:    1},
		{name: "positional to stable",
			running: lines(l+"seq 5 permit 10.0.0.0/8", l+"seq 10 permit 10.1.0.0/16", l+"seq 15 deny any",
				"ipv6 prefix-list L seq 5 permit 2001:db8::/64", "ipv6 prefix-list L seq 10 deny any"),
			want: lines(l+"seq 3000000001 permit 10.1.0.0/16", l+"seq 123456 permit 10.0.0.0/8", l+"seq 4294967295 deny any",
				"ipv6 prefix-list L seq 77 permit 2001:db8::/64", "ipv6 prefix-list L seq 4294967295 deny any"),
			commands: []string{
				"no " + l + "seq 5 permit 10.0.0.0/8", l + "seq 123456 permit 10.0.0.0/8",
				"no " + l + "seq 10 permit 10.1.0.0/16", l + "seq 3000000001 permit 10.1.0.0/16",
				"no " + l + "seq 15 deny any", l + "seq 4294967295 deny any",
				"no ipv6 prefix-list L seq 5 permit 2001:db8::/64", "ipv6 prefix-list L seq 77 permit 2001:db8::/64",
				"no ipv6 prefix-list L seq 10 deny any", "ipv6 prefix-list L seq 4294967295 deny any",
			},
			moved: 5},
		{name: "a collision resolved: the entry that leaves is deleted first",
			running: lines(l+"seq 100 permit 10.0.0.0/8", l+"seq 101 permit 10.1.0.0/16"),
			want:    lines(l + "seq 100 permit 10.1.0.0/16"),
			commands: []string{
				"no " + l + "seq 100 permit 10.0.0.0/8",
				"no " + l + "seq 101 permit 10.1.0.0/16", l + "seq 100 permit 10.1.0.0/16",
			},
			moved: 1},
		{name: "positional insertion at the front: a chain, last first",
			running: lines(l+"seq 5 permit 10.1.0.0/16", l+"seq 10 permit 10.2.0.0/16", l+"seq 15 deny any"),
			want:    lines(l+"seq 5 permit 10.0.0.0/16", l+"seq 10 permit 10.1.0.0/16", l+"seq 15 permit 10.2.0.0/16", l+"seq 20 deny any"),
			commands: []string{
				"no " + l + "seq 15 deny any", l + "seq 20 deny any",
				"no " + l + "seq 10 permit 10.2.0.0/16", l + "seq 15 permit 10.2.0.0/16",
				"no " + l + "seq 5 permit 10.1.0.0/16", l + "seq 10 permit 10.1.0.0/16",
			},
			moved: 3},
		{name: "positional removal at the front: the removed entry goes first",
			running: lines(l+"seq 5 permit 10.0.0.0/16", l+"seq 10 permit 10.1.0.0/16", l+"seq 15 deny any"),
			want:    lines(l+"seq 5 permit 10.1.0.0/16", l+"seq 10 deny any"),
			commands: []string{
				"no " + l + "seq 5 permit 10.0.0.0/16",
				"no " + l + "seq 10 permit 10.1.0.0/16", l + "seq 5 permit 10.1.0.0/16",
				"no " + l + "seq 15 deny any", l + "seq 10 deny any",
			},
			moved: 2},
		{name: "a cycle",
			running: lines(l+"seq 1 permit 10.1.0.0/16", l+"seq 2 permit 10.2.0.0/16", l+"seq 3 permit 10.3.0.0/16"),
			want:    lines(l+"seq 2 permit 10.1.0.0/16", l+"seq 3 permit 10.2.0.0/16", l+"seq 1 permit 10.3.0.0/16"),
			commands: []string{
				"no " + l + "seq 1 permit 10.1.0.0/16",
				"no " + l + "seq 3 permit 10.3.0.0/16", l + "seq 1 permit 10.3.0.0/16",
				"no " + l + "seq 2 permit 10.2.0.0/16", l + "seq 3 permit 10.2.0.0/16",
				l + "seq 2 permit 10.1.0.0/16",
			},
			moved: 3},
		{name: "lists apart: other name, other family, only on one side",
			running: lines(l+"seq 1 permit 10.0.0.0/8", "ip prefix-list M seq 1 permit 10.0.0.0/8", "ip prefix-list gone seq 1 permit 10.0.0.0/8"),
			want:    lines(l+"seq 1 permit 10.0.0.0/8", "ip prefix-list M seq 1 permit 10.0.0.0/8", "ip prefix-list new seq 2 permit 10.0.0.0/8", "ipv6 prefix-list L seq 2 permit 2001:db8::/64")},
		{name: "a rule the new file holds twice is left to the full apply",
			running: lines(l + "seq 1 permit 10.0.0.0/8"),
			want:    lines(l+"seq 2 permit 10.0.0.0/8", l+"seq 3 permit 10.0.0.0/8")},
		{name: "the same rule kept under its number and added under another",
			running: lines(l + "seq 1 permit 10.0.0.0/8"),
			want:    lines(l+"seq 1 permit 10.0.0.0/8", l+"seq 2 permit 10.0.0.0/8")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			running, want := Parse(tc.running), Parse(tc.want)
			m := PlanMoves(running, want)
			if diff := cmp.Diff(tc.commands, m.Commands); diff != "" {
				t.Errorf("commands (-want +got):\n%s", diff)
			}
			if m.Moved != tc.moved {
				t.Errorf("Moved = %d, want %d", m.Moved, tc.moved)
			}
			// FRR accepts every command in order (no entry identical to
			// another, no number taken), and afterwards every rule of running
			// that want holds once sits at want's number.
			after := simulate(t, running, Plan{Commands: m.Commands})
			for k, entries := range want.Lists {
				wantSeq, dup := seqByRule(entries)
				for seq, rule := range Parse(tc.running).Lists[k] {
					if b, ok := wantSeq[rule]; ok && !dup[rule] && after.Lists[k][b] != rule {
						t.Errorf("%s: %s (seq %d before) is not at seq %d after the moves", k, rule, seq, b)
					}
				}
			}
		})
	}
}

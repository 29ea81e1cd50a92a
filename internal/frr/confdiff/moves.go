package confdiff

import (
	"maps"
	"slices"
)

// Moves are the commands that put every prefix-list entry of FRR's running
// configuration whose rule the new configuration holds under another number
// at that number, before a full apply.
//
// frr-reload.py cannot move such an entry without losing it: FRR silently
// ignores an entry identical to an existing one of the same list under
// another number, and frr-reload.py sends prefix-list deletions after its
// additions, so the new line is dropped and the old one then deleted. After
// the moves the full apply finds those entries already right.
type Moves struct {
	// Commands are configuration-mode lines for one vtysh session: for each
	// moved entry the deletion of its old number right before the line with
	// its new one, so no rule is missing for more than two commands. An entry
	// whose number is taken by a moved one and that the new configuration
	// does not hold at all is deleted first; a target taken by another moved
	// entry is freed by moving that one first.
	Commands []string
	// Moved is how many entries the commands move.
	Moved int
}

// PlanMoves returns the moves that turn running's numbering of the rules
// that want keeps into want's. An entry moves when running holds its rule
// under number A and want holds the same rule in the same list under number
// B ≠ A. A rule that either side holds more than once in a list is left to
// the full apply.
func PlanMoves(running, want Config) Moves {
	var m Moves
	for _, k := range slices.SortedFunc(maps.Keys(running.Lists), compareLists) {
		w, ok := want.Lists[k]
		if !ok {
			continue
		}
		planListMoves(&m, k, running.Lists[k], w)
	}
	return m
}

// planListMoves appends the moves of one list.
func planListMoves(m *Moves, k ListKey, running, want map[uint32]string) {
	wantSeq, wantDup := seqByRule(want)
	_, runningDup := seqByRule(running)
	to := map[uint32]uint32{} // old number to new number
	for seq, rule := range running {
		b, ok := wantSeq[rule]
		if ok && b != seq && !wantDup[rule] && !runningDup[rule] {
			to[seq] = b
		}
	}
	if len(to) == 0 {
		return
	}
	const (
		unvisited = iota
		moving
		done
	)
	state := map[uint32]int{}
	gone := map[uint32]bool{} // numbers of running whose entry was deleted
	del := func(seq uint32) {
		m.Commands = append(m.Commands, "no "+Entry{List: k, Seq: seq, Rule: running[seq]}.Line())
		gone[seq] = true
	}
	var move func(a uint32)
	move = func(a uint32) {
		state[a] = moving
		b := to[a]
		if _, taken := running[b]; taken && !gone[b] {
			switch _, moves := to[b]; {
			case !moves:
				// An entry that does not stay (want holds this rule at b),
				// deleted by the full apply anyway.
				del(b)
			case state[b] == unvisited:
				move(b)
			case state[b] == moving:
				// A cycle back to an entry still waiting for its own
				// target: it is deleted now and re-added when the moves
				// after it are done.
				del(b)
			}
		}
		if !gone[a] {
			del(a)
		}
		m.Commands = append(m.Commands, Entry{List: k, Seq: b, Rule: running[a]}.Line())
		m.Moved++
		state[a] = done
	}
	for _, a := range slices.Sorted(maps.Keys(to)) {
		if state[a] == unvisited {
			move(a)
		}
	}
}

// seqByRule maps each rule of entries to its number, and reports the rules
// held under more than one number.
func seqByRule(entries map[uint32]string) (map[string]uint32, map[string]bool) {
	bySeq := make(map[string]uint32, len(entries))
	dup := map[string]bool{}
	for seq, rule := range entries {
		if _, ok := bySeq[rule]; ok {
			dup[rule] = true
		}
		bySeq[rule] = seq
	}
	return bySeq, dup
}

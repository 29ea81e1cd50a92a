package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/frrk8s/frrk8s/internal/frr/confdiff"
)

// movesFile is the name, in the shared volume, of the commands that move
// renumbered prefix-list entries before a full apply (0600, only while they
// run).
const movesFile = "moves.conf"

// Messages of the move pass, which tests look for.
const (
	markMoving    = "Moving renumbered prefix-list entries before the full apply:"
	markMoveFails = "Moving the renumbered prefix-list entries failed"
)

// moveRenumbered runs before every full apply of the fast path (running:
// FRR's running configuration if the caller has just read it, else ""): the
// prefix-list entries FRR runs under one number and frr.conf holds under
// another (the first full apply after a switch from positional to stable
// numbering, a hash collision resolved differently) are deleted and
// re-added under their new number in one vtysh configuration session, each
// deletion right before its addition, so FRR's route-map delay timer never
// sees them missing. frr-reload.py cannot do it: FRR ignores an entry
// identical to one already in the list, and frr-reload.py deletes after it
// adds, so the entry would disappear. It never fails the reload: a problem
// is printed and the full apply goes on, as it did without this pass.
func (r *reloader) moveRenumbered(running string) {
	conf, err := os.ReadFile(r.paths.config)
	if err != nil {
		r.printf("%s (%v): the full apply goes on", markMoveFails, err)
		return
	}
	if running == "" {
		if running, err = r.showRunning(); err != nil {
			r.printf("%s (%v): the full apply goes on", markMoveFails, err)
			return
		}
	}
	moves := confdiff.PlanMoves(confdiff.Parse(running), confdiff.Parse(string(conf)))
	if moves.Moved == 0 {
		return
	}
	r.printf("%s %d entries, %d commands", markMoving, moves.Moved, len(moves.Commands))
	if err := r.runMoves(moves.Commands); err != nil {
		r.printf("%s (%v): the full apply goes on", markMoveFails, err)
	}
}

// runMoves sends commands through one `vtysh -f` session, from a file of
// the shared volume removed afterwards.
func (r *reloader) runMoves(commands []string) error {
	file := filepath.Join(filepath.Dir(r.paths.config), movesFile)
	defer os.Remove(file)
	text := strings.Join(commands, "\n") + "\n"
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", file, err)
	}
	r.printText(text)
	var out bytes.Buffer
	runErr := r.runChild(slices.Concat(r.cfg.vtyshCmd, []string{"-f", file}), &out, &out)
	r.printText(cleanOutput(out.String()))
	if runErr != nil {
		return fmt.Errorf("vtysh -f: %w", runErr)
	}
	return nil
}

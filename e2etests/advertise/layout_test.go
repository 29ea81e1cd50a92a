package advertise

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// layout is how the prefix-lists are numbered and applied.
type layout struct {
	// name is "stable" (the default: entries keep their seq across
	// changes, and the reloader applies entry-only changes incrementally)
	// or "position" (seq by position, as upstream, with the reloader's
	// two-pass frr-reload.py mode).
	name string
	// daemonArgs are added to /frr-k8s's arguments, reloaderEnv to the
	// reloader's environment.
	daemonArgs  []string
	reloaderEnv []string
}

// layoutsFor returns the layouts to measure: both unless layoutsEnv names
// some. The position layout is upstream's behaviour: positional seq numbers
// and the reloader's two frr-reload.py passes.
func layoutsFor(t *testing.T) []layout {
	t.Helper()
	want := []string{"stable", "position"}
	if spec := os.Getenv(layoutsEnv); spec != "" {
		want = strings.Split(spec, ",")
	}
	var res []layout
	for _, name := range want {
		switch strings.TrimSpace(name) {
		case "stable":
			res = append(res, layout{name: "stable"})
		case "position":
			res = append(res, layout{
				name:        "position",
				daemonArgs:  []string{"--prefix-list-seq=position"},
				reloaderEnv: []string{"FRR_RELOADER_MODE=legacy"},
			})
		default:
			t.Fatalf("%s: unknown layout %q", layoutsEnv, name)
		}
	}
	return res
}

// String names the layout in results.
func (l layout) String() string { return l.name }

// describe says what switches the layout passed.
func (l layout) describe() string {
	return fmt.Sprintf("%s (daemon %v, reloader %v)", l.name, l.daemonArgs, l.reloaderEnv)
}

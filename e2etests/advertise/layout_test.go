package advertise

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
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

// Switches of the position layout, passed only to binaries that know
// them.
const (
	positionFlag     = "--prefix-list-seq=position"
	positionFlagName = "prefix-list-seq"
	legacyModeEnv    = "FRR_RELOADER_MODE=legacy"
	legacyModeName   = "FRR_RELOADER_MODE"
)

// layoutsFor returns the layouts to measure with the binaries in bins. The
// position layout gets each switch only when its binary supports it; with
// neither supported it is left out, since it would measure the default
// again.
func layoutsFor(t *testing.T, bins binaries) []layout {
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
			l := layout{name: "position"}
			if daemonKnows(bins.daemon, positionFlagName) {
				l.daemonArgs = append(l.daemonArgs, positionFlag)
			}
			if binaryMentions(bins.reloader, legacyModeName) {
				l.reloaderEnv = append(l.reloaderEnv, legacyModeEnv)
			}
			if len(l.daemonArgs) == 0 && len(l.reloaderEnv) == 0 {
				t.Logf("layout position skipped: neither %s nor %s is supported by these binaries", positionFlag, legacyModeEnv)
				continue
			}
			if len(l.daemonArgs) == 0 || len(l.reloaderEnv) == 0 {
				t.Logf("layout position only partly available: daemon %v, reloader %v", l.daemonArgs, l.reloaderEnv)
			}
			res = append(res, l)
		default:
			t.Fatalf("%s: unknown layout %q", layoutsEnv, name)
		}
	}
	return res
}

// daemonKnows reports whether /frr-k8s --help lists flag.
func daemonKnows(bin, flag string) bool {
	out, _ := exec.Command(bin, "--help").CombinedOutput()
	return bytes.Contains(out, []byte("--"+flag))
}

// binaryMentions reports whether the binary at path holds s, which for
// the reloader tells whether it reads an environment variable of that name.
func binaryMentions(path, s string) bool {
	data, err := os.ReadFile(path)
	return err == nil && bytes.Contains(data, []byte(s))
}

// String names the layout in results.
func (l layout) String() string { return l.name }

// describe says what switches the layout passed.
func (l layout) describe() string {
	return fmt.Sprintf("%s (daemon %v, reloader %v)", l.name, l.daemonArgs, l.reloaderEnv)
}

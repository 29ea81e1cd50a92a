package advertise

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frrk8s/frrk8s/internal/e2eharness"
)

// tailLines is how many output lines of a process are kept for diagnosis.
const tailLines = 200

// build builds the production binaries under test once per test run.
var build = e2eharness.NewBuild("frrk8s-advertise-bin-", map[string]string{
	"frr-k8s":      "./cmd/frr-k8s-controller",
	"frr-reloader": "./cmd/reloader",
})

// binaries are the paths of the production binaries under test.
type binaries struct {
	daemon, reloader string
}

// buildBinaries builds /frr-k8s and the reloader on first use.
func buildBinaries(t *testing.T) binaries {
	t.Helper()
	dir, err := build.Dir()
	if err != nil {
		t.Fatal(err)
	}
	return binaries{daemon: filepath.Join(dir, "frr-k8s"), reloader: filepath.Join(dir, "frr-reloader")}
}

// stampedLine is one output line of a process with the time it arrived.
type stampedLine struct {
	at   time.Time
	text string
}

// lineRecorder receives a process's output. It keeps, with their arrival
// time, the lines containing one of its markers, and the last tailLines
// lines of any kind. The full output (a cold reload prints every line of
// the diff) is not kept.
type lineRecorder struct {
	markers []string
	log     io.Writer // every line, stamped; nil for none (logDirEnv)

	mu      sync.Mutex
	partial []byte
	marked  []stampedLine
	tail    []string
}

func newLineRecorder(markers ...string) *lineRecorder {
	return &lineRecorder{markers: markers}
}

// logTo makes r write every line it receives, with its arrival time, to a
// file named name in the directory logDirEnv names, when it is set.
func (r *lineRecorder) logTo(t *testing.T, name string) *lineRecorder {
	t.Helper()
	dir := os.Getenv(logDirEnv)
	if dir == "" {
		return r
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		t.Fatalf("create the log of %s: %v", name, err)
	}
	t.Cleanup(func() { _ = f.Close() })
	r.log = f
	return r
}

// Write splits p into lines and records them.
func (r *lineRecorder) Write(p []byte) (int, error) {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.partial = append(r.partial, p...)
	for {
		i := bytes.IndexByte(r.partial, '\n')
		if i < 0 {
			break
		}
		r.record(now, string(r.partial[:i]))
		r.partial = r.partial[i+1:]
	}
	return len(p), nil
}

func (r *lineRecorder) record(at time.Time, line string) {
	if r.log != nil {
		fmt.Fprintf(r.log, "%s %s\n", at.UTC().Format("15:04:05.000"), line)
	}
	for _, m := range r.markers {
		if strings.Contains(line, m) {
			r.marked = append(r.marked, stampedLine{at: at, text: line})
			break
		}
	}
	r.tail = append(r.tail, line)
	if len(r.tail) > tailLines {
		r.tail = r.tail[len(r.tail)-tailLines:]
	}
}

// first returns the arrival time of the first marked line containing
// marker that arrived at or after since.
func (r *lineRecorder) first(marker string, since time.Time) (time.Time, bool) {
	return r.nth(marker, since, 1)
}

// nth returns the arrival time of the k-th (from 1) marked line containing
// marker that arrived at or after since.
func (r *lineRecorder) nth(marker string, since time.Time, k int) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range r.marked {
		if !l.at.Before(since) && strings.Contains(l.text, marker) {
			k--
			if k == 0 {
				return l.at, true
			}
		}
	}
	return time.Time{}, false
}

// count returns how many marked lines containing marker arrived at or after
// since.
func (r *lineRecorder) count(marker string, since time.Time) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, l := range r.marked {
		if !l.at.Before(since) && strings.Contains(l.text, marker) {
			n++
		}
	}
	return n
}

// String returns the last lines received, for e2eharness.Output.
func (r *lineRecorder) String() string { return r.Tail() }

// Tail returns the last lines received.
func (r *lineRecorder) Tail() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.tail, "\n")
}

// lastMarked returns the text of the last marked line containing marker.
func (r *lineRecorder) lastMarked(marker string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.marked) - 1; i >= 0; i-- {
		if strings.Contains(r.marked[i].text, marker) {
			return r.marked[i].text, true
		}
	}
	return "", false
}

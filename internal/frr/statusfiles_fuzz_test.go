package frr

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReadStatusFiles writes arbitrary reloader files (a compromised or
// broken reloader writes what it likes) and reads them back: no panic, a
// result only for a well-formed .status, and the failure text comes from
// last-error only after a failure. Seeds: testdata/fuzz/FuzzReadStatusFiles.
func FuzzReadStatusFiles(f *testing.F) {
	f.Add([]byte("1700000000 success"), []byte("\n"), []byte("frr version 8.4\n"))
	f.Add([]byte("1700000000 failure\n"), []byte("line 3: % Unknown command: neighbor 192.0.2.1 passw s3cret\n"), []byte(""))
	f.Add([]byte(""), []byte("x"), []byte("y"))
	f.Add([]byte("a b c"), []byte("\x00"), []byte("\u2028"))
	// One directory per fuzzing process, rewritten by each input (inputs
	// run one at a time in a process): a directory per input is slow.
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, status, lastError, running []byte) {
		for name, b := range map[string][]byte{statusFile: status, lastErrorFile: lastError, runningConfigFile: running} {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		s, err := ReadStatusFiles(dir)
		if err != nil {
			return
		}
		if len(strings.Fields(s.Raw)) != 2 {
			t.Fatalf("accepted malformed status %q", s.Raw)
		}
		if s.LastReloadResult != ReloadSuccess && s.LastReloadResult != string(lastError) {
			t.Fatalf("result %q is neither success nor last-error", s.LastReloadResult)
		}
		if s.RunningConfig != string(running) {
			t.Fatalf("running config %q, want %q", s.RunningConfig, running)
		}
		red := Cap(Redact(s.LastReloadResult), ReloadResultCap)
		if len(red) > ReloadResultCap {
			t.Fatalf("capped result of %d bytes", len(red))
		}
	})
}

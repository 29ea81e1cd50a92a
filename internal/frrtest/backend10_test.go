package frrtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frrk8s/frrk8s/internal/cienv"
)

func TestFRR10Check(t *testing.T) {
	tests := []struct {
		name string
		root string
		want string
	}{
		{name: "unset", root: "", want: FRR10RootEnv + " is not set"},
		{name: "relative", root: "chroot", want: "not an absolute path"},
		{name: "empty dir", root: t.TempDir(), want: "missing " + "/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.root != "" {
				cienv.SkipIfShort(t, "root")
			}
			if tc.root != "" && os.Geteuid() != 0 {
				cienv.SkipOrFail(t, "the checks after the root check need root")
			}
			err := frr10Backend{root: tc.root}.Check()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Check() = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestFRR10FromEnv(t *testing.T) {
	t.Setenv(FRR10RootEnv, "/some/chroot")
	if got := FRR10().(frr10Backend).root; got != "/some/chroot" {
		t.Errorf("FRR10() root = %q, want the value of %s", got, FRR10RootEnv)
	}
}

func TestChrootFRRIDs(t *testing.T) {
	root := t.TempDir()
	writeTestFile(t, filepath.Join(root, "etc", "passwd"),
		"root:x:0:0:root:/root:/bin/bash\nfrr:x:997:996::/nonexistent:/bin/sh\n")
	uid, gid, err := chrootFRRIDs(root)
	if err != nil || uid != 997 || gid != 996 {
		t.Errorf("chrootFRRIDs = %d, %d, %v; want 997, 996, nil", uid, gid, err)
	}

	writeTestFile(t, filepath.Join(root, "etc", "passwd"), "root:x:0:0:root:/root:/bin/bash\n")
	if _, _, err := chrootFRRIDs(root); err == nil || !strings.Contains(err.Error(), "no user frr") {
		t.Errorf("chrootFRRIDs without frr = %v, want a missing-user error", err)
	}
}

func TestFRR10Layout(t *testing.T) {
	l := &frr10Layout{root: "/cache/frr10/trixie-10.3", state: "/tmp/frrtest-1-node-2"}
	exec := []string{"/bin/sh", "/tmp/frrtest-1-node-2/chroot-exec"}
	inNS := append([]string{"ip", "netns", "exec", "ns1", "env", "FRRTEST_DAEMON=1"}, exec...)

	if diff := cmp.Diff([]string{"mgmtd", "zebra", "bgpd", "bfdd", "staticd"},
		l.Daemons([]string{"zebra", "bgpd", "bfdd", "staticd"})); diff != "" {
		t.Errorf("Daemons (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"mgmtd", "zebra", "bgpd"}, l.Daemons([]string{"bgpd", "mgmtd"})); diff != "" {
		t.Errorf("Daemons with mgmtd requested (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(append(inNS, "/usr/lib/frr/bfdd", "-P", "0", "--log", "stdout"), l.DaemonArgv("ns1", "bfdd")); diff != "" {
		t.Errorf("DaemonArgv (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(append(inNS, "/usr/lib/frr/watchfrr", "--dry", "mgmtd", "zebra"),
		l.WatchfrrArgv("ns1", []string{"mgmtd", "zebra"})); diff != "" {
		t.Errorf("WatchfrrArgv (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(append(exec, "/usr/bin/vtysh"), l.VtyshArgv()); diff != "" {
		t.Errorf("VtyshArgv (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(append(exec, "/usr/bin/python3", "/usr/lib/frr/frr-reload.py"), l.ReloadCmd()); diff != "" {
		t.Errorf("ReloadCmd (-want +got):\n%s", diff)
	}
	if got := l.ReloadArgs(); len(got) != 0 {
		t.Errorf("ReloadArgs = %q, want none", got)
	}
	if got, want := l.VtySocket("bgpd"), "/tmp/frrtest-1-node-2/run/bgpd.vty"; got != want {
		t.Errorf("VtySocket = %q, want %q", got, want)
	}
	for in, want := range map[string]string{
		"/tmp/frrtest-1-node-2/etc/frr.conf":    "/tmp/frrtest-1-node-2/etc/frr.conf",
		"/cache/frr10/trixie-10.3/etc/frr/x":    "/etc/frr/x",
		"/cache/frr10/trixie-10.3-other/etc/ab": "/cache/frr10/trixie-10.3-other/etc/ab",
	} {
		if got := l.CommandPath(in); got != want {
			t.Errorf("CommandPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriteChrootExec(t *testing.T) {
	dir := t.TempDir()
	path, err := writeChrootExec(dir, "/cache/it's", "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "set -- '/cache/it'\\''s' '" + tempDir() + "' '' \"$@\"\n"
	if !strings.Contains(string(b), want) {
		t.Errorf("%s lacks the quoted arguments %q:\n%s", path, want, b)
	}
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

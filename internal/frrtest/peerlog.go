package frrtest

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
)

// withdrawnLine matches the line bgpd logs under `debug bgp updates` for
// each prefix a neighbor withdraws, on FRR 8.4 and 10:
// "<peer> rcvd UPDATE about 198.18.0.1/32 IPv4 unicast -- withdrawn".
var withdrawnLine = regexp.MustCompile(`rcvd UPDATE about (\S+).*-- withdrawn`)

// LogPath returns the log file of daemon (its stdout and stderr, where
// `log stdout` and debug lines go).
func (i *Instance) LogPath(daemon string) string {
	return filepath.Join(i.StateDir(), daemon+".log")
}

// LogSize returns the current size of daemon's log, the offset to count
// from in Withdrawals.
func (i *Instance) LogSize(daemon string) (int64, error) {
	info, err := os.Stat(i.LogPath(daemon))
	if err != nil {
		return 0, fmt.Errorf("the log of %s: %w", daemon, err)
	}
	return info.Size(), nil
}

// Withdrawals counts the withdrawals this instance's bgpd logged from
// offset from on (an earlier LogSize), for prefixes other than except. The
// instance must run with `debug bgp updates`: a hitless change on its peer
// withdraws nothing.
func (i *Instance) Withdrawals(from int64, except string) (int, error) {
	f, err := os.Open(i.LogPath("bgpd"))
	if err != nil {
		return 0, fmt.Errorf("the log of bgpd: %w", err)
	}
	defer f.Close()
	if _, err := f.Seek(from, io.SeekStart); err != nil {
		return 0, fmt.Errorf("the log of bgpd: %w", err)
	}
	return CountWithdrawals(f, except)
}

// CountWithdrawals counts the `debug bgp updates` withdrawal lines in r for
// prefixes other than except ("" for none).
func CountWithdrawals(r io.Reader, except string) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	n := 0
	for sc.Scan() {
		if m := withdrawnLine.FindSubmatch(sc.Bytes()); m != nil && string(m[1]) != except {
			n++
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("read the log: %w", err)
	}
	return n, nil
}

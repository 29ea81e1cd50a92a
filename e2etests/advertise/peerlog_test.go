package advertise

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"regexp"
)

// withdrawnLine matches the line bgpd logs under `debug bgp updates` for
// each prefix a neighbor withdraws, on FRR 8.4 and 10:
// "<peer> rcvd UPDATE about 198.18.0.1/32 IPv4 unicast -- withdrawn".
var withdrawnLine = regexp.MustCompile(`rcvd UPDATE about (\S+).*-- withdrawn`)

// peerLog is the peer's bgpd log, where its debug lines go.
func (b *bench) peerLog() string {
	return filepath.Join(b.peer.StateDir(), "bgpd.log")
}

// peerLogSize is the current size of the peer's bgpd log.
func (b *bench) peerLogSize() int64 {
	info, err := os.Stat(b.peerLog())
	if err != nil {
		b.t.Fatalf("the peer's bgpd log: %v", err)
	}
	return info.Size()
}

// countWithdrawn sets m.withdrawn to the number of withdrawals the peer
// logged since m started, for prefixes other than m.removed: a hitless
// change withdraws nothing else.
func (b *bench) countWithdrawn(m *measurement) {
	b.t.Helper()
	f, err := os.Open(b.peerLog())
	if err != nil {
		b.t.Fatalf("the peer's bgpd log: %v", err)
	}
	defer f.Close()
	if _, err := f.Seek(m.peerLogFrom, io.SeekStart); err != nil {
		b.t.Fatalf("the peer's bgpd log: %v", err)
	}
	n, err := countWithdrawals(f, m.removed)
	if err != nil {
		b.t.Fatalf("the peer's bgpd log: %v", err)
	}
	m.withdrawn = n
}

// countWithdrawals counts the withdrawal lines in r for prefixes other than
// except.
func countWithdrawals(r io.Reader, except string) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	n := 0
	for sc.Scan() {
		if m := withdrawnLine.FindSubmatch(sc.Bytes()); m != nil && string(m[1]) != except {
			n++
		}
	}
	return n, sc.Err()
}

package e2eharness

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"testing"
)

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// RandomSuffix returns n random bytes in hex, to make names unique.
func RandomSuffix(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// FileHolds reports whether the file at path holds exactly want, and what
// it holds, for frrtest.WaitFor.
func FileHolds(path, want string) (bool, string) {
	got, err := os.ReadFile(path)
	return string(got) == want, fmt.Sprintf("%s = %q (%v), want %q", path, got, err, want)
}

// Package vtyshtest provides a fake vtysh for tests: a Runner answering from
// a table, preloaded with output captured from a real FRR 8.4.
package vtyshtest

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// Fake is a vtysh.Runner that answers each command from a table. A command
// without an answer fails, as vtysh does for an unknown command.
type Fake struct {
	mu        sync.Mutex
	responses map[string]string
	errors    map[string]error
	calls     []string
}

// NewFake returns a Fake with the given answers (command → output).
func NewFake(responses map[string]string) *Fake {
	return &Fake{responses: maps.Clone(responses), errors: map[string]error{}}
}

// Run returns the answer to command.
func (f *Fake) Run(_ context.Context, command string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, command)
	if err, ok := f.errors[command]; ok {
		return nil, err
	}
	out, ok := f.responses[command]
	if !ok {
		return nil, fmt.Errorf("fake vtysh: unknown command %q", command)
	}
	return []byte(out), nil
}

// Set answers command with out from now on.
func (f *Fake) Set(command, out string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.errors, command)
	if f.responses == nil {
		f.responses = map[string]string{}
	}
	f.responses[command] = out
}

// Fail makes command fail with err from now on.
func (f *Fake) Fail(command string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.errors == nil {
		f.errors = map[string]error{}
	}
	f.errors[command] = err
}

// Calls returns the commands run so far, in order.
func (f *Fake) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// FRR builds whose output is captured.
const (
	FRR84 = "frr84"
	FRR10 = "frr10"
)

// CapturedDirOf returns the directory of the output captured from an FRR
// build: internal/frr/vtysh/testdata/captured for FRR84 (the default
// everywhere), testdata/captured_frr10 for FRR10.
func CapturedDirOf(version string) string {
	_, file, _, _ := runtime.Caller(0)
	dir := "captured"
	if version != FRR84 {
		dir += "_" + version
	}
	return filepath.Join(filepath.Dir(file), "..", "testdata", dir)
}

// Captured returns one file captured from FRR 8.4; it panics when the file
// is missing, which is a broken checkout.
func Captured(name string) string {
	return CapturedOf(FRR84, name)
}

// CapturedOf returns one file captured from an FRR build.
func CapturedOf(version, name string) string {
	b, err := os.ReadFile(filepath.Join(CapturedDirOf(version), name))
	if err != nil {
		panic(fmt.Sprintf("vtyshtest: %v", err))
	}
	return string(b)
}

// CapturedCommands maps each captured file to the command that produced it.
var CapturedCommands = map[string]string{
	"bgp_vrf_all.json":           "show bgp vrf all json",
	"bgp_default_neighbors.json": "show bgp vrf default neighbors json",
	"bgp_red_neighbors.json":     "show bgp vrf red neighbors json",
	"bfd_default_peers.json":     "show bfd vrf default peers json",
	"bfd_default_counters.json":  "show bfd vrf default peers counters json",
	"bfd_red_peers.json":         "show bfd vrf red peers json",
	"bfd_red_counters.json":      "show bfd vrf red peers counters json",
	"bgp_nosuch_neighbors.json":  "show bgp vrf nosuch neighbors json",
	"bfd_nosuch_peers.json":      "show bfd vrf nosuch peers json",
	"show_daemons.txt":           "show daemons",
}

// CapturedFake answers like the captured FRR: VRFs default and red, in
// default an Established IPv4 neighbor with BFD up (192.0.2.2), an
// Established IPv6 neighbor with BFD down (fd00::2) and a shut neighbor
// without BFD (192.0.2.9); in red a shut neighbor (192.0.2.10); every daemon
// running. VRF nosuch answers as FRR does for a VRF it does not know.
func CapturedFake() *Fake {
	return CapturedFakeOf(FRR84)
}

// CapturedFakeOf is CapturedFake for the output of an FRR build.
func CapturedFakeOf(version string) *Fake {
	responses := map[string]string{}
	for file, command := range CapturedCommands {
		responses[command] = CapturedOf(version, file)
	}
	return NewFake(responses)
}

// ManyNeighbors returns a Fake whose default VRF has n Established
// neighbors, each a copy of the captured 192.0.2.2 neighbor with an up BFD
// session: the input of the scrape benchmark. The addresses (ManyAddress)
// are only JSON keys.
func ManyNeighbors(n int) (*Fake, error) {
	var captured map[string]json.RawMessage
	if err := json.Unmarshal([]byte(Captured("bgp_default_neighbors.json")), &captured); err != nil {
		return nil, fmt.Errorf("decode captured neighbors: %w", err)
	}
	var peers, counters []map[string]any
	if err := json.Unmarshal([]byte(Captured("bfd_default_peers.json")), &peers); err != nil {
		return nil, fmt.Errorf("decode captured bfd peers: %w", err)
	}
	if err := json.Unmarshal([]byte(Captured("bfd_default_counters.json")), &counters); err != nil {
		return nil, fmt.Errorf("decode captured bfd counters: %w", err)
	}
	neighbors := make(map[string]json.RawMessage, n)
	var manyPeers, manyCounters []map[string]any
	for i := range n {
		addr := ManyAddress(i)
		neighbors[addr] = captured["192.0.2.2"]
		manyPeers = append(manyPeers, withPeer(peers[0], addr))
		manyCounters = append(manyCounters, withPeer(counters[0], addr))
	}
	encoded := map[string]any{
		"show bgp vrf default neighbors json":      neighbors,
		"show bfd vrf default peers json":          manyPeers,
		"show bfd vrf default peers counters json": manyCounters,
	}
	responses := map[string]string{
		"show bgp vrf all json": `{"default":{"vrfId":0,"vrfName":"default","routes":{}}}`,
		"show daemons":          Captured("show_daemons.txt"),
	}
	for command, v := range encoded {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", command, err)
		}
		responses[command] = string(b)
	}
	return NewFake(responses), nil
}

func withPeer(entry map[string]any, addr string) map[string]any {
	c := maps.Clone(entry)
	c["peer"] = addr
	return c
}

// ManyAddress is the address of the i-th neighbor of ManyNeighbors:
// 198.51.100.1 to .254, then fd00:1::<i+1>.
func ManyAddress(i int) string {
	if i < 254 {
		return fmt.Sprintf("198.51.100.%d", i+1)
	}
	return fmt.Sprintf("fd00:1::%x", i+1)
}

package vtysh

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frrk8s/frrk8s/internal/frr/vtysh/vtyshtest"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		value string
		want  []string
	}{
		{value: "", want: []string{"vtysh"}},
		{value: "  \t", want: []string{"vtysh"}},
		{value: "vtysh", want: []string{"vtysh"}},
		{value: " vtysh  --vty_socket /run/x ", want: []string{"vtysh", "--vty_socket", "/run/x"}},
		{value: "chroot /srv/frr vtysh -N a", want: []string{"chroot", "/srv/frr", "vtysh", "-N", "a"}},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, ParseCommand(tc.value)); diff != "" {
			t.Errorf("ParseCommand(%q) (-want +got):\n%s", tc.value, diff)
		}
	}
	env := map[string]string{EnvVar: "vtysh --vty_socket /tmp/r"}
	if got := ExecFromEnv(func(k string) string { return env[k] }).String(); got != "vtysh --vty_socket /tmp/r" {
		t.Errorf("ExecFromEnv = %q", got)
	}
	if got := (Exec{}).String(); got != "vtysh" {
		t.Errorf("zero Exec = %q, want vtysh", got)
	}
}

// writeScript writes an executable shell script standing in for vtysh.
func writeScript(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fake-vtysh")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestExecPassesArgumentsAndCommand(t *testing.T) {
	script := writeScript(t, `for a in "$@"; do printf '[%s]' "$a"; done`)
	out, err := Exec{Argv: []string{script, "--vty_socket", "/run/x"}}.Run(context.Background(), "show bgp vrf all json")
	if err != nil {
		t.Fatal(err)
	}
	if want := "[--vty_socket][/run/x][-c][show bgp vrf all json]"; string(out) != want {
		t.Errorf("arguments = %s, want %s", out, want)
	}
}

func TestExecFailureCarriesOutput(t *testing.T) {
	script := writeScript(t, "echo 'bgpd is not running' >&2; exit 1")
	_, err := Exec{Argv: []string{script}}.Run(context.Background(), "show bgp vrf all json")
	if err == nil || !strings.Contains(err.Error(), "bgpd is not running") || !strings.Contains(err.Error(), "show bgp vrf all json") {
		t.Fatalf("error = %v, want one naming the command and vtysh's message", err)
	}
}

func TestExecMissingProgram(t *testing.T) {
	_, err := Exec{Argv: []string{filepath.Join(t.TempDir(), "missing")}}.Run(context.Background(), "show daemons")
	if err == nil {
		t.Fatal("running a missing program succeeded")
	}
}

func TestVRFs(t *testing.T) {
	c := NewClient(vtyshtest.CapturedFake())
	got, err := c.VRFs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"default", "red"}, got); diff != "" {
		t.Errorf("VRFs (-want +got):\n%s", diff)
	}
}

func TestParseVRFsEdgeCases(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []string
		wantErr bool
	}{
		{name: "no output", in: "", want: nil},
		{name: "no instance", in: "{\n}\n", want: nil},
		{name: "sorted", in: `{"zz":{},"default":{},"blue":{}}`, want: []string{"blue", "default", "zz"}},
		{name: "any values", in: `{"b":{"routes":{"x":[1,2]}},"a":3}`, want: []string{"a", "b"}},
		{name: "broken value", in: `{"a":{"routes":}`, wantErr: true},
		{name: "not json", in: "% Unknown command", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseVRFs([]byte(tc.in))
			if (err != nil) != tc.wantErr {
				t.Fatalf("error = %v, want error %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestNeighborsFromCapturedFRR decodes the captured output; the expected
// counters are those of that capture (update them after -capture).
func TestNeighborsFromCapturedFRR(t *testing.T) {
	c := NewClient(vtyshtest.CapturedFake())
	got, err := c.AllNeighbors(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]Neighbor{
		"default": {
			"192.0.2.2": {
				BGPState:    "Established",
				PeerBFDInfo: &PeerBFDInfo{Status: "Up"},
				MessageStats: MessageStats{
					OpensSent: 3, OpensRecv: 2, NotificationsRecv: 2, UpdatesSent: 3, UpdatesRecv: 3,
					KeepalivesSent: 2, KeepalivesRecv: 2, TotalSent: 8, TotalRecv: 9,
				},
				AddressFamilyInfo: map[string]AddressFamilyInfo{
					"ipv4Unicast": {SentPrefixCounter: 3, AcceptedPrefixCounter: 2},
				},
			},
			"fd00::2": {
				BGPState:    "Established",
				PeerBFDInfo: &PeerBFDInfo{Status: "Down"},
				MessageStats: MessageStats{
					OpensSent: 1, OpensRecv: 1, UpdatesSent: 3, UpdatesRecv: 3,
					KeepalivesSent: 1, KeepalivesRecv: 1, TotalSent: 5, TotalRecv: 5,
				},
				AddressFamilyInfo: map[string]AddressFamilyInfo{
					"ipv6Unicast": {SentPrefixCounter: 2, AcceptedPrefixCounter: 1},
				},
			},
			"192.0.2.9": {
				BGPState:          "Idle",
				AddressFamilyInfo: map[string]AddressFamilyInfo{},
			},
		},
		"red": {
			"192.0.2.10": {
				BGPState: "Idle",
				AddressFamilyInfo: map[string]AddressFamilyInfo{
					"ipv4Unicast": {},
				},
			},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AllNeighbors (-want +got):\n%s", diff)
	}
}

func TestNeighborSums(t *testing.T) {
	n := Neighbor{
		BGPState: "Established",
		AddressFamilyInfo: map[string]AddressFamilyInfo{
			"ipv4Unicast": {SentPrefixCounter: 3, AcceptedPrefixCounter: 2},
			"ipv6Unicast": {SentPrefixCounter: 4, AcceptedPrefixCounter: 5},
			"l2VpnEvpn":   {SentPrefixCounter: 10},
		},
	}
	if !n.Established() || n.SentPrefixes() != 17 || n.AcceptedPrefixes() != 7 {
		t.Errorf("Established, SentPrefixes, AcceptedPrefixes = %v, %d, %d; want true, 17, 7",
			n.Established(), n.SentPrefixes(), n.AcceptedPrefixes())
	}
	if status, ok := n.BFDStatus(); ok || status != "" {
		t.Errorf("BFDStatus without peerBfdInfo = %q, %v", status, ok)
	}
	if (Neighbor{BGPState: "Active"}).Established() {
		t.Error("Active counts as Established")
	}
}

func TestParseNeighborsSkipsScalarsAndEmpty(t *testing.T) {
	got, err := ParseNeighbors([]byte(`{"vrfId":0,"vrfName":"default","veth0":{"bgpState":"Active"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]Neighbor{"veth0": {BGPState: "Active"}}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	got, err = ParseNeighbors([]byte(vtyshtest.Captured("bgp_nosuch_neighbors.json")))
	if err != nil || len(got) != 0 {
		t.Errorf("unknown VRF = %v, %v; want no neighbors", got, err)
	}
	if _, err := ParseNeighbors([]byte(`{"192.0.2.2":{"bgpState":3}}`)); err == nil {
		t.Error("a mistyped neighbor parsed")
	}
}

func TestBFDFromCapturedFRR(t *testing.T) {
	c := NewClient(vtyshtest.CapturedFake())
	ctx := context.Background()
	peers, err := c.BFDPeers(ctx, "default")
	if err != nil {
		t.Fatal(err)
	}
	wantPeers := []BFDPeer{
		{Peer: "192.0.2.2", Local: "192.0.2.1", VRF: "default", Interface: "veth0", Status: "up"},
		{Peer: "fd00::2", Local: "fd00::1", VRF: "default", Interface: "veth0", Status: "down"},
	}
	if diff := cmp.Diff(wantPeers, peers); diff != "" {
		t.Errorf("BFDPeers (-want +got):\n%s", diff)
	}
	if !peers[0].Up() || peers[1].Up() {
		t.Errorf("Up() = %v, %v; want true, false", peers[0].Up(), peers[1].Up())
	}
	counters, err := c.BFDCounters(ctx, "default")
	if err != nil {
		t.Fatal(err)
	}
	if len(counters) != 2 || counters[0].Peer != "192.0.2.2" || counters[0].SessionUp != 1 ||
		counters[0].ControlPacketInput == 0 || counters[0].ControlPacketOutput == 0 || counters[0].ZebraNotifications == 0 {
		t.Errorf("BFDCounters = %+v; want two peers, 192.0.2.2 first with one session-up and packets", counters)
	}
	for _, vrf := range []string{"red"} {
		peers, err := c.BFDPeers(ctx, vrf)
		if err != nil || len(peers) != 0 {
			t.Errorf("BFDPeers(%s) = %v, %v; want none", vrf, peers, err)
		}
		counters, err := c.BFDCounters(ctx, vrf)
		if err != nil || len(counters) != 0 {
			t.Errorf("BFDCounters(%s) = %v, %v; want none", vrf, counters, err)
		}
	}
}

func TestDaemons(t *testing.T) {
	fake := vtyshtest.CapturedFake()
	c := NewClient(fake)
	got, err := c.Daemons(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"zebra", "bgpd", "watchfrr", "staticd", "bfdd"}, got); diff != "" {
		t.Errorf("Daemons (-want +got):\n%s", diff)
	}
	fake.Set("show daemons", vtyshtest.Captured("show_daemons_bgpd_killed.txt"))
	got, _ = c.Daemons(context.Background())
	if diff := cmp.Diff([]string{"zebra", "watchfrr", "staticd", "bfdd"}, got); diff != "" {
		t.Errorf("Daemons with bgpd killed (-want +got):\n%s", diff)
	}
}

func TestClientPropagatesErrors(t *testing.T) {
	boom := errors.New("boom")
	fake := vtyshtest.CapturedFake()
	fake.Fail("show bgp vrf red neighbors json", boom)
	c := NewClient(fake)
	if _, err := c.AllNeighbors(context.Background()); !errors.Is(err, boom) {
		t.Errorf("AllNeighbors error = %v, want boom", err)
	}
	fake.Set("show bfd vrf default peers json", "[{")
	if _, err := c.BFDPeers(context.Background(), "default"); err == nil || !strings.Contains(err.Error(), "vrf default") {
		t.Errorf("BFDPeers on broken JSON = %v, want an error naming the VRF", err)
	}
	fake.Fail("show daemons", boom)
	if _, err := c.Daemons(context.Background()); !errors.Is(err, boom) {
		t.Errorf("Daemons error = %v, want boom", err)
	}
}

func TestManyNeighborsFake(t *testing.T) {
	fake, err := vtyshtest.ManyNeighbors(300)
	if err != nil {
		t.Fatal(err)
	}
	c := NewClient(fake)
	all, err := c.AllNeighbors(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	peers, err := c.BFDPeers(context.Background(), DefaultVRF)
	if err != nil {
		t.Fatal(err)
	}
	if len(all[DefaultVRF]) != 300 || len(peers) != 300 || !all[DefaultVRF][vtyshtest.ManyAddress(299)].Established() {
		t.Errorf("got %d neighbors and %d bfd peers, want 300 established each", len(all[DefaultVRF]), len(peers))
	}
}

// neighborSummary is the part of a neighbor that does not depend on timing.
type neighborSummary struct {
	State       string
	BFD         string
	HasBFD      bool
	Established bool
	HasMessages bool
	HasPrefixes bool
}

func summarize(all map[string]map[string]Neighbor) map[string]neighborSummary {
	res := map[string]neighborSummary{}
	for vrf, neighbors := range all {
		for key, n := range neighbors {
			bfd, ok := n.BFDStatus()
			res[vrf+"/"+key] = neighborSummary{
				State: n.BGPState, BFD: bfd, HasBFD: ok, Established: n.Established(),
				HasMessages: n.MessageStats.TotalSent > 0 && n.MessageStats.TotalRecv > 0,
				HasPrefixes: n.SentPrefixes() > 0 && n.AcceptedPrefixes() > 0,
			}
		}
	}
	return res
}

// TestCapturedFromFRR10 decodes the output captured from FRR 10, where the
// IPv6 session whose BFD is down stays Idle.
func TestCapturedFromFRR10(t *testing.T) {
	c := NewClient(vtyshtest.CapturedFakeOf(vtyshtest.FRR10))
	ctx := context.Background()
	all, err := c.AllNeighbors(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]neighborSummary{
		"default/192.0.2.2": {State: "Established", BFD: "Up", HasBFD: true, Established: true, HasMessages: true, HasPrefixes: true},
		"default/fd00::2":   {State: "Idle", BFD: "Down", HasBFD: true},
		"default/192.0.2.9": {State: "Idle"},
		"red/192.0.2.10":    {State: "Idle"},
	}
	if diff := cmp.Diff(want, summarize(all)); diff != "" {
		t.Errorf("neighbors (-want +got):\n%s", diff)
	}
	peers, err := c.BFDPeers(ctx, DefaultVRF)
	if err != nil {
		t.Fatal(err)
	}
	wantPeers := []BFDPeer{
		{Peer: "192.0.2.2", Local: "192.0.2.1", VRF: "default", Interface: "veth0", Status: "up"},
		{Peer: "fd00::2", VRF: "default", Status: "down"},
	}
	if diff := cmp.Diff(wantPeers, peers); diff != "" {
		t.Errorf("BFDPeers (-want +got):\n%s", diff)
	}
	counters, err := c.BFDCounters(ctx, DefaultVRF)
	if err != nil || len(counters) != 2 || counters[0].ControlPacketInput == 0 {
		t.Errorf("BFDCounters = %+v, %v", counters, err)
	}
	daemons, err := c.Daemons(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"mgmtd", "zebra", "bgpd", "watchfrr", "staticd", "bfdd"}, daemons); diff != "" {
		t.Errorf("Daemons (-want +got):\n%s", diff)
	}
}

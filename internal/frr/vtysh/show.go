package vtysh

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// DefaultVRF is FRR's name of the default VRF.
const DefaultVRF = "default"

// BGPEstablished is the bgpState of a session that is up.
const BGPEstablished = "Established"

// BFDUp is the status of a BFD session that is up in `show bfd peers`.
const BFDUp = "up"

// Neighbor is one entry of `show bgp vrf <vrf> neighbors json`, reduced to
// the fields frr-k8s reads.
type Neighbor struct {
	// BGPState is the finite state machine state, e.g. Established or Active.
	BGPState string `json:"bgpState"`
	// PeerBFDInfo is present only when BFD is configured for the neighbor.
	PeerBFDInfo *PeerBFDInfo `json:"peerBfdInfo,omitempty"`
	// MessageStats counts the BGP messages exchanged.
	MessageStats MessageStats `json:"messageStats"`
	// AddressFamilyInfo holds per address family counters, keyed by FRR's
	// name of the family (ipv4Unicast, ipv6Unicast, ...).
	AddressFamilyInfo map[string]AddressFamilyInfo `json:"addressFamilyInfo"`
}

// PeerBFDInfo is the BFD part of a neighbor.
type PeerBFDInfo struct {
	// Status is the BFD session status as bgpd sees it (Up, Down, Unknown).
	Status string `json:"status"`
}

// MessageStats are a neighbor's message counters.
type MessageStats struct {
	OpensSent         uint64 `json:"opensSent"`
	OpensRecv         uint64 `json:"opensRecv"`
	NotificationsSent uint64 `json:"notificationsSent"`
	NotificationsRecv uint64 `json:"notificationsRecv"`
	UpdatesSent       uint64 `json:"updatesSent"`
	UpdatesRecv       uint64 `json:"updatesRecv"`
	KeepalivesSent    uint64 `json:"keepalivesSent"`
	KeepalivesRecv    uint64 `json:"keepalivesRecv"`
	RouteRefreshSent  uint64 `json:"routeRefreshSent"`
	RouteRefreshRecv  uint64 `json:"routeRefreshRecv"`
	TotalSent         uint64 `json:"totalSent"`
	TotalRecv         uint64 `json:"totalRecv"`
}

// AddressFamilyInfo holds the prefix counters of one address family.
type AddressFamilyInfo struct {
	// SentPrefixCounter is the number of prefixes announced to the neighbor.
	SentPrefixCounter uint64 `json:"sentPrefixCounter"`
	// AcceptedPrefixCounter is the number of prefixes accepted from it.
	AcceptedPrefixCounter uint64 `json:"acceptedPrefixCounter"`
}

// Established reports whether the session is up.
func (n Neighbor) Established() bool { return n.BGPState == BGPEstablished }

// SentPrefixes sums the announced prefixes over the address families.
func (n Neighbor) SentPrefixes() uint64 {
	var sum uint64
	for _, af := range n.AddressFamilyInfo {
		sum += af.SentPrefixCounter
	}
	return sum
}

// AcceptedPrefixes sums the accepted prefixes over the address families.
func (n Neighbor) AcceptedPrefixes() uint64 {
	var sum uint64
	for _, af := range n.AddressFamilyInfo {
		sum += af.AcceptedPrefixCounter
	}
	return sum
}

// BFDStatus returns the BFD status bgpd reports and whether BFD is
// configured for the neighbor at all.
func (n Neighbor) BFDStatus() (string, bool) {
	if n.PeerBFDInfo == nil {
		return "", false
	}
	return n.PeerBFDInfo.Status, true
}

// BFDPeer is one entry of `show bfd vrf <vrf> peers json`.
type BFDPeer struct {
	Peer      string `json:"peer"`
	Local     string `json:"local,omitempty"`
	VRF       string `json:"vrf,omitempty"`
	Interface string `json:"interface,omitempty"`
	Multihop  bool   `json:"multihop"`
	// Status is up, down, init or shutdown.
	Status string `json:"status"`
}

// Up reports whether the BFD session is up.
func (p BFDPeer) Up() bool { return p.Status == BFDUp }

// BFDCounters is one entry of `show bfd vrf <vrf> peers counters json`.
type BFDCounters struct {
	Peer                string `json:"peer"`
	Local               string `json:"local,omitempty"`
	VRF                 string `json:"vrf,omitempty"`
	Interface           string `json:"interface,omitempty"`
	Multihop            bool   `json:"multihop"`
	ControlPacketInput  uint64 `json:"control-packet-input"`
	ControlPacketOutput uint64 `json:"control-packet-output"`
	EchoPacketInput     uint64 `json:"echo-packet-input"`
	EchoPacketOutput    uint64 `json:"echo-packet-output"`
	SessionUp           uint64 `json:"session-up"`
	SessionDown         uint64 `json:"session-down"`
	ZebraNotifications  uint64 `json:"zebra-notifications"`
}

// Client asks FRR through a Runner and decodes the answers.
type Client struct {
	runner Runner
}

// NewClient returns a Client that runs its commands through r.
func NewClient(r Runner) *Client {
	return &Client{runner: r}
}

// VRFs returns the names of the VRFs that have a BGP instance (`show bgp vrf
// all json`), sorted; the default VRF is DefaultVRF.
func (c *Client) VRFs(ctx context.Context) ([]string, error) {
	out, err := c.runner.Run(ctx, "show bgp vrf all json")
	if err != nil {
		return nil, err
	}
	vrfs, err := ParseVRFs(out)
	if err != nil {
		return nil, fmt.Errorf("parse show bgp vrf all: %w", err)
	}
	return vrfs, nil
}

// Neighbors returns the BGP neighbors of one VRF keyed by address or
// interface (`show bgp vrf <vrf> neighbors json`).
func (c *Client) Neighbors(ctx context.Context, vrf string) (map[string]Neighbor, error) {
	out, err := c.runner.Run(ctx, fmt.Sprintf("show bgp vrf %s neighbors json", vrf))
	if err != nil {
		return nil, err
	}
	neighbors, err := ParseNeighbors(out)
	if err != nil {
		return nil, fmt.Errorf("parse neighbors of vrf %s: %w", vrf, err)
	}
	return neighbors, nil
}

// AllNeighbors returns the neighbors of every VRF, keyed by FRR's VRF name
// and then by neighbor.
func (c *Client) AllNeighbors(ctx context.Context) (map[string]map[string]Neighbor, error) {
	vrfs, err := c.VRFs(ctx)
	if err != nil {
		return nil, err
	}
	all := make(map[string]map[string]Neighbor, len(vrfs))
	for _, vrf := range vrfs {
		neighbors, err := c.Neighbors(ctx, vrf)
		if err != nil {
			return nil, err
		}
		all[vrf] = neighbors
	}
	return all, nil
}

// BFDPeers returns the BFD sessions of one VRF (`show bfd vrf <vrf> peers json`).
func (c *Client) BFDPeers(ctx context.Context, vrf string) ([]BFDPeer, error) {
	out, err := c.runner.Run(ctx, fmt.Sprintf("show bfd vrf %s peers json", vrf))
	if err != nil {
		return nil, err
	}
	var peers []BFDPeer
	if err := decodeOptional(out, &peers); err != nil {
		return nil, fmt.Errorf("parse bfd peers of vrf %s: %w", vrf, err)
	}
	return peers, nil
}

// BFDCounters returns the BFD packet counters of one VRF (`show bfd vrf
// <vrf> peers counters json`).
func (c *Client) BFDCounters(ctx context.Context, vrf string) ([]BFDCounters, error) {
	out, err := c.runner.Run(ctx, fmt.Sprintf("show bfd vrf %s peers counters json", vrf))
	if err != nil {
		return nil, err
	}
	var counters []BFDCounters
	if err := decodeOptional(out, &counters); err != nil {
		return nil, fmt.Errorf("parse bfd counters of vrf %s: %w", vrf, err)
	}
	return counters, nil
}

// Daemons returns the daemons vtysh is connected to (`show daemons`).
func (c *Client) Daemons(ctx context.Context) ([]string, error) {
	out, err := c.runner.Run(ctx, "show daemons")
	if err != nil {
		return nil, err
	}
	return strings.Fields(string(out)), nil
}

// ParseVRFs returns the sorted top-level keys of `show bgp vrf all json`.
// Empty output means no BGP instance.
func ParseVRFs(data []byte) ([]string, error) {
	var vrfs map[string]skipped
	if err := decodeOptional(data, &vrfs); err != nil {
		return nil, err
	}
	return slices.Sorted(maps.Keys(vrfs)), nil
}

// skipped is a JSON value that is validated but not kept: the output of
// `show bgp vrf all json` holds every route of every VRF, and only the keys
// matter.
type skipped struct{}

// UnmarshalJSON ignores the value.
func (*skipped) UnmarshalJSON([]byte) error { return nil }

// ParseNeighbors decodes `show bgp vrf <vrf> neighbors json`. Top-level
// members that are not objects (FRR adds scalars such as vrfId in some
// versions) are not neighbors and are skipped.
func ParseNeighbors(data []byte) (map[string]Neighbor, error) {
	// Fast path: only neighbors, decoded in one pass.
	var neighbors map[string]Neighbor
	err := decodeOptional(data, &neighbors)
	var typeErr *json.UnmarshalTypeError
	if !errors.As(err, &typeErr) {
		return neighbors, err
	}
	var entries map[string]neighborEntry
	if err := decodeOptional(data, &entries); err != nil {
		return nil, err
	}
	neighbors = make(map[string]Neighbor, len(entries))
	for key, e := range entries {
		if e.isNeighbor {
			neighbors[key] = e.neighbor
		}
	}
	return neighbors, nil
}

// neighborEntry is one top-level member of the neighbors output: a neighbor
// when it is an object, ignored otherwise. Decoding through it is about
// twice as slow as the fast path, which matters with hundreds of neighbors.
type neighborEntry struct {
	neighbor   Neighbor
	isNeighbor bool
}

// UnmarshalJSON decodes objects as neighbors and ignores other values.
func (e *neighborEntry) UnmarshalJSON(data []byte) error {
	if !isObject(data) {
		return nil
	}
	e.isNeighbor = true
	return json.Unmarshal(data, &e.neighbor)
}

// decodeOptional decodes JSON into v; blank input leaves v untouched.
func decodeOptional(data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	return json.Unmarshal(data, v)
}

func isObject(value json.RawMessage) bool {
	trimmed := bytes.TrimSpace(value)
	return len(trimmed) > 0 && trimmed[0] == '{'
}

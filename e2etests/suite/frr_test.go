package suite

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os/exec"
	"strings"
	"time"
)

// vtyshTimeout bounds one vtysh call.
const vtyshTimeout = 30 * time.Second

// frr runs vtysh commands against one FRR instance.
type frr struct {
	name string
	argv []string
}

// nodeFRR is the FRR of the node under test.
func nodeFRR() frr { return frr{name: "node", argv: env.nodeVtysh} }

// peerFRR is the external router.
func peerFRR() frr { return frr{name: "peer", argv: env.peerVtysh} }

// run executes one or more commands in a single vtysh call (-c each) and
// returns the standard output.
func (f frr) run(commands ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), vtyshTimeout)
	defer cancel()
	args := append([]string{}, f.argv[1:]...)
	for _, c := range commands {
		args = append(args, "-c", c)
	}
	cmd := exec.CommandContext(ctx, f.argv[0], args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s vtysh %q: %w: %s%s", f.name, commands, err, stdout.String(), stderr.String())
	}
	return stdout.String(), nil
}

// configure applies configuration lines in configure mode.
func (f frr) configure(lines ...string) error {
	out, err := f.run(append([]string{"configure terminal"}, lines...)...)
	if err != nil {
		return err
	}
	// vtysh reports a rejected line on stdout and still exits 0 on some versions.
	if strings.Contains(out, "% ") {
		return fmt.Errorf("%s rejected %q: %s", f.name, lines, out)
	}
	return nil
}

// json runs a command ending in "json" and decodes its output into v.
func (f frr) json(command string, v any) error {
	out, err := f.run(command)
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		return fmt.Errorf("%s: decoding %q: %w: %s", f.name, command, err, out)
	}
	return nil
}

// ipv4Routes returns the prefixes in the IPv4 unicast BGP table (after
// inbound policy, so a filtered route is absent).
func (f frr) ipv4Routes() (map[string]bool, error) {
	var table struct {
		Routes map[string]json.RawMessage `json:"routes"`
	}
	if err := f.json("show bgp ipv4 unicast json", &table); err != nil {
		return nil, err
	}
	routes := make(map[string]bool, len(table.Routes))
	for p := range table.Routes {
		routes[p] = true
	}
	return routes, nil
}

// bfdPeerStatus returns the status ("up", "down", ...) of the BFD session
// with addr, or "" when there is none.
func (f frr) bfdPeerStatus(addr netip.Addr) (string, error) {
	var peers []struct {
		Peer   string `json:"peer"`
		Status string `json:"status"`
	}
	if err := f.json("show bfd peers json", &peers); err != nil {
		return "", err
	}
	for _, p := range peers {
		if a, err := netip.ParseAddr(p.Peer); err == nil && a == addr {
			return p.Status, nil
		}
	}
	return "", nil
}

// peerRouterLines prefixes lines with the peer's `router bgp` context.
func peerRouterLines(lines ...string) []string {
	return append([]string{fmt.Sprintf("router bgp %d", env.peerASN)}, lines...)
}

// peerIPv4Lines prefixes lines with the peer's IPv4 unicast context.
func peerIPv4Lines(lines ...string) []string {
	return peerRouterLines(append([]string{"address-family ipv4 unicast"}, lines...)...)
}

// fmtList joins prefixes for step descriptions.
func fmtList(items []string) string {
	return strings.Join(items, ", ")
}

package frr

import (
	"embed"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/template"
)

//go:embed templates/*.tmpl
var templatesFS embed.FS

// LogLevelDebugging is the FRR log level that also turns on the debug lines.
const LogLevelDebugging = "debugging"

// debugLines are printed after the header when the log level is debugging.
var debugLines = []string{
	"debug zebra events",
	"debug zebra nht",
	"debug zebra kernel",
	"debug zebra rib",
	"debug zebra nexthop",
	"debug bgp neighbor-events",
	"debug bgp updates",
	"debug bgp keepalives",
	"debug bgp nht",
	"debug bgp zebra",
	"debug bfd network",
	"debug bfd peer",
	"debug bfd zebra",
}

// frrLogLevels maps frr-k8s log levels to FRR's log level words.
var frrLogLevels = map[string]string{
	"all":   LogLevelDebugging,
	"debug": LogLevelDebugging,
	"info":  "informational",
	"warn":  "warnings",
	"error": "errors",
	"none":  "emergencies",
}

// LogLevelFor returns the FRR log level word for an frr-k8s log level
// (all, debug, info, warn, error, none); anything else is informational.
func LogLevelFor(level string) string {
	if word, ok := frrLogLevels[level]; ok {
		return word
	}
	return "informational"
}

// Families returned by unicastFamilies; shared to avoid allocations.
var (
	onlyIPv4  = []string{FamilyIPv4}
	onlyIPv6  = []string{FamilyIPv6}
	bothIPv46 = []string{FamilyIPv4, FamilyIPv6}
)

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"debugLines":            func() []string { return debugLines },
	"filterData":            newFilterData,
	"routerData":            newRouterData,
	"hasL3VNI":              hasL3VNI,
	"familyWord":            familyWord,
	"unicastFamilies":       unicastFamilies,
	"disableConnectedCheck": disableConnectedCheck,
	"activatesEVPN":         activatesEVPN,
	"advertiseAllVNIs":      advertiseAllVNIs,
	"prefixLines":           prefixLines,
}).ParseFS(templatesFS, "templates/*.tmpl"))

// RenderOptions are the node-specific values Render adds to a model.
type RenderOptions struct {
	// Hostname is printed in the hostname line.
	Hostname string
	// FallbackRouterID, when not empty, is the router-id of the routers
	// without one (see FallbackRouterID).
	FallbackRouterID string
}

// Render prints the configuration as an frr.conf text. It prints the model
// in the order given, with the numbers Number put in it, and never modifies
// it: it neither counts nor sorts.
func Render(c *Config, o RenderOptions) (string, error) {
	if c == nil {
		return "", fmt.Errorf("render frr config: nil config")
	}
	var b strings.Builder
	b.Grow(estimateSize(c))
	data := fileData{Config: c, Options: o}
	if err := templates.ExecuteTemplate(&b, "frr.conf", data); err != nil {
		return "", fmt.Errorf("render frr config: %w", err)
	}
	return b.String(), nil
}

// estimateSize guesses the output size so the builder rarely regrows.
func estimateSize(c *Config) int {
	size := 1024 + len(c.Extra)
	for i := range c.Routers {
		size += 512
		for j := range c.Routers[i].Neighbors {
			n := &c.Routers[i].Neighbors[j]
			size += 2048 + 80*(len(n.Outgoing.PrefixesV4)+len(n.Outgoing.PrefixesV6))
			for _, l := range n.Outgoing.PropertyLists {
				size += 100 * len(l.Prefixes)
			}
		}
	}
	return size
}

// fileData is the data of the top level template.
type fileData struct {
	*Config
	Options RenderOptions
}

// routerData is the data of the "router" template: the router with its
// router-id, the fallback one when the router has none.
type routerData struct {
	*Router
	// RouterID shadows Router.RouterID.
	RouterID string
}

func newRouterData(d fileData, r *Router) routerData {
	id := r.RouterID
	if id == "" {
		id = d.Options.FallbackRouterID
	}
	return routerData{Router: r, RouterID: id}
}

// filterData is the data of the "filters" template: one neighbor, its
// numbered filters and the names derived from its ID.
type filterData struct {
	N *Neighbor
	F *Filters
	// ID names the neighbor's route-maps.
	ID string
	// A4 and A6 are the outgoing allowed lists.
	A4, A6 string
	// INPL is the incoming list and DEN the always-block list.
	INPL, DEN string
}

func newFilterData(n *Neighbor) (filterData, error) {
	if n.Filters == nil {
		return filterData{}, fmt.Errorf("neighbor %s is not numbered (frr.Number was not called)", n.ID())
	}
	names := namesOf(n)
	return filterData{
		N:    n,
		F:    n.Filters,
		ID:   names.id,
		A4:   names.a4,
		A6:   names.a6,
		INPL: names.inpl,
		DEN:  names.den,
	}, nil
}

// hasL3VNI reports whether the router needs a "vrf ... vni" block.
func hasL3VNI(r *Router) bool {
	return r.VRF != "" && r.EVPN != nil && r.EVPN.L3VNI != nil
}

// familyWord returns the prefix-list keyword of a selector family.
func familyWord(family string) string {
	if family == FamilyIPv6 {
		return "ipv6"
	}
	return "ip"
}

// unicastFamilies returns the unicast address families the neighbor is
// activated in.
func unicastFamilies(n *Neighbor) []string {
	if len(n.AddressFamilies) > 0 && !slices.Contains(n.AddressFamilies, AddressFamilyUnicast) {
		return nil
	}
	switch n.Family {
	case FamilyIPv4:
		return onlyIPv4
	case FamilyIPv6:
		return onlyIPv6
	case FamilyDual:
		return bothIPv46
	}
	return nil
}

// disableConnectedCheck reports whether a single-hop IPv6 eBGP neighbor of
// a router with ASN asn needs disable-connected-check.
func disableConnectedCheck(n *Neighbor, asn uint32) bool {
	if n.Family != FamilyIPv6 || n.EBGPMultiHop {
		return false
	}
	return n.Iface != "" || n.ASN == "external" ||
		(n.ASN != "internal" && n.ASN != strconv.FormatUint(uint64(asn), 10))
}

// activatesEVPN reports whether the neighbor is activated in l2vpn evpn.
func activatesEVPN(n *Neighbor) bool {
	return slices.Contains(n.AddressFamilies, AddressFamilyEVPN)
}

// advertiseAllVNIs reports whether advertise-all-vni is requested.
func advertiseAllVNIs(e *EVPN) bool {
	return e.AdvertiseVNIs != nil && *e.AdvertiseVNIs == AdvertiseVNIsAll
}

// prefixLines prints the entries of one prefix list, each on a new line:
// "<fw> prefix-list <name> seq <seq> <action> <match>", fw being the
// entry's own when empty. Printed by the template's range, these lines
// were most of the rendering time of a large config (docs/performance.md).
func prefixLines(fw, name string, entries []PrefixEntry) string {
	var b strings.Builder
	for _, e := range entries {
		b.WriteByte('\n')
		if fw != "" {
			b.WriteString(fw)
		} else {
			b.WriteString(e.FW)
		}
		b.WriteString(" prefix-list ")
		b.WriteString(name)
		b.WriteString(" seq ")
		b.WriteString(strconv.FormatUint(uint64(e.Seq), 10))
		b.WriteByte(' ')
		b.WriteString(e.Action)
		b.WriteByte(' ')
		b.WriteString(e.Match)
	}
	return b.String()
}

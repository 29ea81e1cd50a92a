// Package ipfamily tells IPv4 from IPv6 for addresses and CIDR strings the
// way Go's net package does: an IPv4-mapped IPv6 address counts as IPv4.
package ipfamily

import (
	"fmt"
	"net"
	"net/netip"
)

// Family is the address family of an address, a prefix or a BGP neighbor.
type Family string

const (
	// IPv4 is the IPv4 family.
	IPv4 Family = "ipv4"
	// IPv6 is the IPv6 family.
	IPv6 Family = "ipv6"
	// DualStack is a neighbor activated in both families.
	DualStack Family = "dual"
	// Unknown is returned for strings that do not parse.
	Unknown Family = "unknown"
)

// String returns the family name.
func (f Family) String() string { return string(f) }

// Includes reports whether a neighbor of family f carries routes of family other.
func (f Family) Includes(other Family) bool {
	return f == other || f == DualStack
}

// ParseAddr parses an IP address as net.ParseIP accepts it (no zone).
func ParseAddr(s string) (netip.Addr, bool) {
	addr, err := netip.ParseAddr(s)
	if err != nil || addr.Zone() != "" {
		return netip.Addr{}, false
	}
	return addr, true
}

// ForAddr returns the family of a parsed address.
func ForAddr(addr netip.Addr) Family {
	if addr.Is4() || addr.Is4In6() {
		return IPv4
	}
	return IPv6
}

// ForAddress returns the family of an address string. The error text is
// the one upstream prints for a neighbor address that does not parse.
func ForAddress(s string) (Family, error) {
	addr, ok := ParseAddr(s)
	if !ok {
		return Unknown, fmt.Errorf("IPFamilyForAddresses: Invalid address %q", []string{s})
	}
	return ForAddr(addr), nil
}

// ParseCIDR parses a prefix in CIDR notation; host bits are allowed. The
// error reads like net.ParseCIDR's: "invalid CIDR address: <s>".
func ParseCIDR(s string) (netip.Prefix, error) {
	prefix, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, &net.ParseError{Type: "CIDR address", Text: s}
	}
	return prefix, nil
}

// ForPrefix returns the family of a parsed prefix.
func ForPrefix(p netip.Prefix) Family {
	return ForAddr(p.Addr())
}

// ForCIDRString returns the family of a CIDR string, Unknown when it does not parse.
func ForCIDRString(s string) Family {
	prefix, err := ParseCIDR(s)
	if err != nil {
		return Unknown
	}
	return ForPrefix(prefix)
}

package frr

import (
	"net"
	"testing"
)

func TestFallbackRouterID(t *testing.T) {
	v6 := func(s string) net.Addr {
		ip, n, err := net.ParseCIDR(s)
		if err != nil {
			t.Fatal(err)
		}
		n.IP = ip
		return n
	}
	tests := []struct {
		name     string
		hostname string
		addrs    []net.Addr
		want     string
	}{
		{"no addresses", "dummyhostname", nil, "167.62.253.30"},
		{"IPv6 only", "dummyhostname", []net.Addr{v6("::1/128"), v6("2001:db8::5/64"), v6("fe80::1/64")}, "167.62.253.30"},
		{"IPv6 only, IPAddr", "dummyhostname", []net.Addr{&net.IPAddr{IP: net.ParseIP("2001:db8::5")}}, "167.62.253.30"},
		{"empty hostname", "", nil, "0.0.0.0"},
		{"IPv4 present", "dummyhostname", []net.Addr{v6("2001:db8::5/64"), v6("192.0.2.7/24")}, ""},
		{"IPv4 loopback counts", "dummyhostname", []net.Addr{v6("127.0.0.1/8"), v6("::1/128")}, ""},
		{"IPv4 in 16-byte form", "dummyhostname", []net.Addr{&net.IPNet{IP: net.IPv4(198, 51, 100, 1), Mask: net.CIDRMask(24, 32)}}, ""},
		{"IPv4 as IPAddr", "dummyhostname", []net.Addr{&net.IPAddr{IP: net.ParseIP("192.0.2.1")}}, ""},
		{"other address type parsed from its text", "dummyhostname", []net.Addr{textAddr("192.0.2.1/24")}, ""},
		{"unparsable address ignored", "dummyhostname", []net.Addr{textAddr("eth0"), nil}, "167.62.253.30"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := FallbackRouterID(tc.hostname, tc.addrs); got != tc.want {
				t.Errorf("FallbackRouterID(%q) = %q, want %q", tc.hostname, got, tc.want)
			}
		})
	}
}

// textAddr is an address known only by its text.
type textAddr string

func (a textAddr) Network() string { return "text" }
func (a textAddr) String() string  { return string(a) }

func TestLocalFallbackRouterID(t *testing.T) {
	id, err := LocalFallbackRouterID()
	if err != nil {
		t.Fatal(err)
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	if hasIPv4(addrs) && id != "" {
		t.Errorf("host has IPv4 addresses, got fallback %q", id)
	}
}

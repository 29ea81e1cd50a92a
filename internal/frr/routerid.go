package frr

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"net"
	"net/netip"
	"os"
)

// FallbackRouterID returns the BGP router-id to use on a node without any
// IPv4 address: the CRC32-IEEE checksum of hostname written as four
// little-endian bytes, as a dotted quad ("dummyhostname" → "167.62.253.30").
// It returns "" when any of addrs is IPv4, since FRR then picks a router-id
// by itself.
func FallbackRouterID(hostname string, addrs []net.Addr) string {
	if hasIPv4(addrs) {
		return ""
	}
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], crc32.ChecksumIEEE([]byte(hostname)))
	return netip.AddrFrom4(b).String()
}

// LocalFallbackRouterID is FallbackRouterID for this host: os.Hostname and
// the addresses of every interface, loopback included.
func LocalFallbackRouterID() (string, error) {
	hostname, err := os.Hostname()
	if err != nil {
		return "", fmt.Errorf("get hostname: %w", err)
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return "", fmt.Errorf("list interface addresses: %w", err)
	}
	return FallbackRouterID(hostname, addrs), nil
}

// hasIPv4 tells whether any address is IPv4 (IPv4-mapped IPv6 included).
func hasIPv4(addrs []net.Addr) bool {
	for _, a := range addrs {
		if ip, ok := addrIP(a); ok && ip.Unmap().Is4() {
			return true
		}
	}
	return false
}

// addrIP extracts the IP of an interface address.
func addrIP(a net.Addr) (netip.Addr, bool) {
	switch v := a.(type) {
	case *net.IPNet:
		return netip.AddrFromSlice(v.IP)
	case *net.IPAddr:
		return netip.AddrFromSlice(v.IP)
	case nil:
		return netip.Addr{}, false
	}
	if p, err := netip.ParsePrefix(a.String()); err == nil {
		return p.Addr(), true
	}
	if ip, err := netip.ParseAddr(a.String()); err == nil {
		return ip, true
	}
	return netip.Addr{}, false
}

package frr

import (
	"fmt"
	"net/netip"
	"testing"
)

// largeConfig is one router with four neighbors that all advertise the
// router's prefixes (half IPv4, half IPv6) through filtered lists, plus a
// local-preference list over a tenth of them.
func largeConfig(prefixes int) *Config {
	v4 := make([]string, 0, prefixes/2)
	v6 := make([]string, 0, prefixes-prefixes/2)
	base4 := netip.MustParseAddr("10.0.0.0").As4()
	for i := range prefixes / 2 {
		a := base4
		a[1], a[2] = byte(i>>8), byte(i)
		v4 = append(v4, netip.PrefixFrom(netip.AddrFrom4(a), 24).String())
	}
	for i := range prefixes - prefixes/2 {
		v6 = append(v6, fmt.Sprintf("2001:db8:%x::/48", i))
	}
	r := Router{ASN: 64512, RouterID: "192.0.2.254", V4Prefixes: v4, V6Prefixes: v6}
	for i := range 4 {
		addr := fmt.Sprintf("192.0.2.%d", i+1)
		n := v4Neighbor(addr, "64513")
		n.Family = FamilyDual
		n.Hold, n.Keepalive = new(int64(90)), new(int64(30))
		n.Incoming.All = true
		n.Outgoing = AllowedOut{
			PrefixesV4: v4,
			PrefixesV6: v6,
			PropertyLists: []PropertyList{{
				Name:     "64513@" + addr + "-200-ip-localpref-prefixes",
				FW:       "ip",
				Prefixes: v4[:len(v4)/10],
				Set:      "set local-preference 200",
			}},
		}
		r.Neighbors = append(r.Neighbors, n)
	}
	return &Config{LogLevel: "informational", Routers: []Router{r}}
}

// benchConfigs are the models of the render and numbering benchmarks.
func benchConfigs() []struct {
	name string
	c    *Config
} {
	return []struct {
		name string
		c    *Config
	}{
		{"small", singleSession()},
		{"large_4neighbors_10000prefixes", largeConfig(10000)},
	}
}

func BenchmarkRender(b *testing.B) {
	for _, bc := range benchConfigs() {
		if err := Number(bc.c, SeqStable); err != nil {
			b.Fatal(err)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var size int
			for b.Loop() {
				out, err := Render(bc.c, RenderOptions{Hostname: "bench"})
				if err != nil {
					b.Fatalf("render: %v", err)
				}
				size = len(out)
			}
			b.ReportMetric(float64(size), "bytes/op-output")
		})
	}
}

func BenchmarkNumber(b *testing.B) {
	for _, bc := range benchConfigs() {
		for _, mode := range SeqModes {
			b.Run(bc.name+"/"+string(mode), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := Number(bc.c, mode); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

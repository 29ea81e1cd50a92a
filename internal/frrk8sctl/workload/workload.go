// Package workload generates the render benchmark's input: K
// FRRConfigurations that all select every node, each with one router
// advertising 600 prefixes of its own to the same 4 neighbors, a third of
// them with a local preference and a sixth with a community, and a few
// receive filters. The configs merge into one router with 4 neighbors and
// K × 600 prefixes.
package workload

import (
	"bytes"
	"fmt"
)

// Prefixes is the number of prefixes each config advertises.
const Prefixes = 600

// Neighbors is the number of neighbors every config peers with.
const Neighbors = 4

// YAML returns k FRRConfigurations of the namespace as one multi-document
// YAML file.
func YAML(k int, namespace string) []byte {
	var b bytes.Buffer
	for c := range k {
		config(&b, c, namespace)
	}
	return b.Bytes()
}

// prefix is the i-th prefix of config c: a /32 unique to the pair.
func prefix(c, i int) string {
	p := c*Prefixes + i
	return fmt.Sprintf("10.%d.%d.%d/32", p>>16, (p>>8)&0xff, p&0xff)
}

// config writes config c.
func config(b *bytes.Buffer, c int, namespace string) {
	fmt.Fprintf(b, "---\napiVersion: frrk8s.metallb.io/v1beta1\nkind: FRRConfiguration\nmetadata:\n  name: workload-%03d\n  namespace: %s\nspec:\n  nodeSelector: {}\n  bgp:\n    routers:\n    - asn: 64512\n      prefixes:\n", c, namespace)
	for i := range Prefixes {
		fmt.Fprintf(b, "      - %s\n", prefix(c, i))
	}
	b.WriteString("      neighbors:\n")
	for n := range Neighbors {
		fmt.Fprintf(b, "      - asn: 64513\n        address: 192.0.2.%d\n        holdTime: 90s\n        keepaliveTime: 30s\n", n+1)
		b.WriteString("        toReceive:\n          allowed:\n            prefixes:\n")
		fmt.Fprintf(b, "            - prefix: 172.%d.0.0/16\n              le: 24\n", 16+c%16)
		b.WriteString("        toAdvertise:\n          allowed:\n            prefixes:\n")
		for i := range Prefixes {
			fmt.Fprintf(b, "            - %s\n", prefix(c, i))
		}
		b.WriteString("          withLocalPref:\n")
		for l, pref := range []int{100, 200} {
			fmt.Fprintf(b, "          - localPref: %d\n            prefixes:\n", pref)
			for i := l * Prefixes / 6; i < (l+1)*Prefixes/6; i++ {
				fmt.Fprintf(b, "            - %s\n", prefix(c, i))
			}
		}
		b.WriteString("          withCommunity:\n          - community: 64512:100\n            prefixes:\n")
		for i := 2 * Prefixes / 6; i < 3*Prefixes/6; i++ {
			fmt.Fprintf(b, "            - %s\n", prefix(c, i))
		}
	}
}

package confdiff

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// base is an frr-k8s-shaped frr.conf: two neighbors' lists, a default and a
// VRF router, IPv4 and IPv6 networks.
const base = `log stdout informational
hostname node

ip prefix-list 192.0.2.2-allowed-ipv4 seq 10 permit 192.0.2.128/26
ip prefix-list 192.0.2.2-allowed-ipv4 seq 4294967295 deny any
ipv6 prefix-list 192.0.2.2-allowed-ipv6 seq 7 permit 2001:db8::/64 le 128
route-map 192.0.2.2-out permit 1
  match ip address prefix-list 192.0.2.2-allowed-ipv4
route-map 192.0.2.2-out permit 2
  match ipv6 address prefix-list 192.0.2.2-allowed-ipv6

router bgp 64512
  no bgp ebgp-requires-policy
  neighbor 192.0.2.2 remote-as 64513

  address-family ipv4 unicast
    neighbor 192.0.2.2 activate
    neighbor 192.0.2.2 route-map 192.0.2.2-out out
  exit-address-family
  address-family ipv4 unicast
    network 192.0.2.128/26
  exit-address-family

  address-family ipv6 unicast
    network 2001:db8::/64
  exit-address-family

router bgp 64512 vrf red
  no bgp ebgp-requires-policy

  address-family ipv4 unicast
    network 198.51.100.0/24
  exit-address-family
`

// edit applies string replacements to base.
func edit(pairs ...string) string {
	return strings.NewReplacer(pairs...).Replace(base)
}

func TestDiff(t *testing.T) {
	tests := []struct {
		name      string
		old, new  string
		wantFull  bool
		want      []string
		wantLists []ListKey
		wantAFs   []AFKey
	}{
		{
			name: "identical",
			old:  base, new: base,
		},
		{
			name: "whitespace and blank lines only",
			old:  base,
			new:  strings.ReplaceAll(strings.ReplaceAll(base, "\n\n", "\n"), "  ", " "),
		},
		{
			name: "one prefix added: entry and network",
			old:  base,
			new: edit("ip prefix-list 192.0.2.2-allowed-ipv4 seq 4294967295 deny any",
				"ip prefix-list 192.0.2.2-allowed-ipv4 seq 11 permit 192.0.2.200/32\nip prefix-list 192.0.2.2-allowed-ipv4 seq 4294967295 deny any",
				"    network 192.0.2.128/26", "    network 192.0.2.128/26\n    network 192.0.2.200/32"),
			want: []string{
				"ip prefix-list 192.0.2.2-allowed-ipv4 seq 11 permit 192.0.2.200/32",
				"router bgp 64512", " address-family ipv4 unicast", " network 192.0.2.200/32", " exit-address-family", "exit",
			},
			wantLists: []ListKey{{"ip", "192.0.2.2-allowed-ipv4"}},
			wantAFs:   []AFKey{{"router bgp 64512", "ipv4 unicast"}},
		},
		{
			name: "one prefix removed: no network before the entry deletion",
			old:  base,
			new: edit("ip prefix-list 192.0.2.2-allowed-ipv4 seq 10 permit 192.0.2.128/26\n", "",
				"    network 192.0.2.128/26\n", ""),
			want: []string{
				"router bgp 64512", " address-family ipv4 unicast", " no network 192.0.2.128/26", " exit-address-family", "exit",
				"no ip prefix-list 192.0.2.2-allowed-ipv4 seq 10 permit 192.0.2.128/26",
			},
			wantLists: []ListKey{{"ip", "192.0.2.2-allowed-ipv4"}},
			wantAFs:   []AFKey{{"router bgp 64512", "ipv4 unicast"}},
		},
		{
			name: "additions before removals across lists and families",
			old:  base,
			new: edit("ipv6 prefix-list 192.0.2.2-allowed-ipv6 seq 7 permit 2001:db8::/64 le 128",
				"ipv6 prefix-list 192.0.2.2-allowed-ipv6 seq 9 permit 2001:db8:1::/64",
				"    network 2001:db8::/64", "    network 2001:db8:1::/64",
				"    network 198.51.100.0/24", "    network 198.51.100.0/24\n    network 203.0.113.0/24"),
			want: []string{
				"ipv6 prefix-list 192.0.2.2-allowed-ipv6 seq 9 permit 2001:db8:1::/64",
				"router bgp 64512", " address-family ipv6 unicast", " network 2001:db8:1::/64", " exit-address-family", "exit",
				"router bgp 64512 vrf red", " address-family ipv4 unicast", " network 203.0.113.0/24", " exit-address-family", "exit",
				"router bgp 64512", " address-family ipv6 unicast", " no network 2001:db8::/64", " exit-address-family", "exit",
				"no ipv6 prefix-list 192.0.2.2-allowed-ipv6 seq 7 permit 2001:db8::/64 le 128",
			},
			wantLists: []ListKey{{"ipv6", "192.0.2.2-allowed-ipv6"}},
			wantAFs:   []AFKey{{"router bgp 64512", "ipv6 unicast"}, {"router bgp 64512 vrf red", "ipv4 unicast"}},
		},
		{
			name: "same entry under a new number: deleted and re-added first",
			old:  base,
			new: edit("seq 10 permit 192.0.2.128/26", "seq 3 permit 192.0.2.128/26",
				"ip prefix-list 192.0.2.2-allowed-ipv4 seq 4294967295 deny any",
				"ip prefix-list 192.0.2.2-allowed-ipv4 seq 4294967295 deny any\nip prefix-list 192.0.2.2-allowed-ipv4 seq 20 permit 192.0.2.9/32"),
			want: []string{
				"no ip prefix-list 192.0.2.2-allowed-ipv4 seq 10 permit 192.0.2.128/26",
				"ip prefix-list 192.0.2.2-allowed-ipv4 seq 3 permit 192.0.2.128/26",
				"ip prefix-list 192.0.2.2-allowed-ipv4 seq 20 permit 192.0.2.9/32",
			},
			wantLists: []ListKey{{"ip", "192.0.2.2-allowed-ipv4"}},
		},
		{
			name: "new list that nothing references yet",
			old:  base,
			new:  base + "ip prefix-list spare seq 1 permit 10.0.0.0/8 ge 16 le 24\n",
			want: []string{
				"ip prefix-list spare seq 1 permit 10.0.0.0/8 ge 16 le 24",
			},
			wantLists: []ListKey{{"ip", "spare"}},
		},
		{
			name: "bounds in the rendered order (le first) are sent in FRR's",
			old:  base,
			new:  base + "ipv6 prefix-list spare seq 1 permit 2001:db8::/32 le 64 ge 48\n",
			want: []string{
				"ipv6 prefix-list spare seq 1 permit 2001:db8::/32 ge 48 le 64",
			},
			wantLists: []ListKey{{"ipv6", "spare"}},
		},
		{
			name: "last network of a block removed with its block",
			old:  base,
			new:  edit("  address-family ipv4 unicast\n    network 198.51.100.0/24\n  exit-address-family\n", ""),
			want: []string{
				"router bgp 64512 vrf red", " address-family ipv4 unicast", " no network 198.51.100.0/24", " exit-address-family", "exit",
			},
			wantAFs: []AFKey{{"router bgp 64512 vrf red", "ipv4 unicast"}},
		},
		{name: "neighbor added", old: base, new: edit("  neighbor 192.0.2.2 remote-as 64513", "  neighbor 192.0.2.2 remote-as 64513\n  neighbor 192.0.2.3 remote-as 64513"), wantFull: true},
		{name: "same number, new rule (positional renumbering)", old: base, new: edit("seq 10 permit 192.0.2.128/26", "seq 10 permit 192.0.2.128/25"), wantFull: true},
		{name: "route-map changed", old: base, new: edit("route-map 192.0.2.2-out permit 2", "route-map 192.0.2.2-out permit 3"), wantFull: true},
		{name: "list referenced by a new match", old: base, new: edit("  match ipv6 address prefix-list 192.0.2.2-allowed-ipv6", "  match ipv6 address prefix-list other"), wantFull: true},
		{name: "lines reordered", old: base, new: edit("log stdout informational\nhostname node", "hostname node\nlog stdout informational"), wantFull: true},
		{name: "new VRF router", old: base, new: base + "router bgp 64512 vrf blue\n address-family ipv4 unicast\n  network 10.0.0.0/8\n exit-address-family\n", wantFull: true},
		{name: "network with options", old: base, new: edit("    network 192.0.2.128/26", "    network 192.0.2.128/26 route-map x"), wantFull: true},
		{name: "network outside an address family", old: base, new: edit("  no bgp ebgp-requires-policy\n  neighbor", "  no bgp ebgp-requires-policy\n  network 10.0.0.0/8\n  neighbor"), wantFull: true},
		{name: "network of the wrong family", old: base, new: edit("    network 2001:db8::/64", "    network 10.0.0.0/8"), wantFull: true},
		{name: "network with host bits", old: base, new: edit("    network 192.0.2.128/26", "    network 192.0.2.129/26"), wantFull: true},
		{name: "network at the top level", old: base, new: base + "network 10.0.0.0/8\n", wantFull: true},
		{name: "entry without a number", old: base, new: base + "ip prefix-list x permit 10.0.0.0/8\n", wantFull: true},
		{name: "entry with host bits", old: base, new: base + "ip prefix-list x seq 1 permit 10.0.0.1/8\n", wantFull: true},
		{name: "entry with trailing words", old: base, new: base + "ip prefix-list x seq 1 permit 10.0.0.0/8 le 24 x\n", wantFull: true},
		{name: "entry with a bound twice", old: base, new: base + "ip prefix-list x seq 1 permit 10.0.0.0/8 le 24 le 24\n", wantFull: true},
		{name: "entry with a bound too long", old: base, new: base + "ip prefix-list x seq 1 permit 10.0.0.0/8 le 33\n", wantFull: true},
		{name: "entry of the wrong family", old: base, new: base + "ipv6 prefix-list x seq 1 permit 10.0.0.0/8\n", wantFull: true},
		{name: "indented entry", old: base, new: base + "router bgp 64512\n ip prefix-list x seq 1 permit 10.0.0.0/8\n", wantFull: true},
		{name: "prefix-list description", old: base, new: base + "ip prefix-list x description y\n", wantFull: true},
		{name: "two lines for one number", old: base, new: base + "ip prefix-list 192.0.2.2-allowed-ipv4 seq 10 permit 10.0.0.0/8\n", wantFull: true},
		{name: "evpn network", old: base + "router bgp 64512\n address-family l2vpn evpn\n  advertise-all-vni\n exit-address-family\n",
			new: base + "router bgp 64512\n address-family l2vpn evpn\n  advertise-all-vni\n  network 10.0.0.0/8\n exit-address-family\n", wantFull: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plan, ok := Diff(Parse(tc.old), Parse(tc.new))
			if ok == tc.wantFull {
				t.Fatalf("Diff ok = %v, want %v (plan %q)", ok, !tc.wantFull, plan.Commands)
			}
			if tc.wantFull {
				return
			}
			if diff := cmp.Diff(tc.want, plan.Commands); diff != "" {
				t.Errorf("commands (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantLists, plan.Lists); diff != "" {
				t.Errorf("lists (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantAFs, plan.AFs); diff != "" {
				t.Errorf("address families (-want +got):\n%s", diff)
			}
			if plan.Empty() != (len(tc.want) == 0) {
				t.Errorf("Empty() = %v with %d commands", plan.Empty(), len(plan.Commands))
			}
			// Applying the plan to the old configuration in this package's
			// model gives the new one.
			if err := Verify(plan, Parse(tc.new), simulate(t, Parse(tc.old), plan)); err != nil {
				t.Errorf("the plan does not produce the new configuration: %v", err)
			}
		})
	}
}

// simulate applies plan's commands to c as FRR would, including FRR's habit
// of ignoring an entry identical to one already in the list.
func simulate(t *testing.T, c Config, plan Plan) Config {
	t.Helper()
	var router string
	for _, cmd := range plan.Commands {
		words := strings.Fields(cmd)
		neg := words[0] == "no"
		if neg {
			words = words[1:]
		}
		if k, seq, rule, ok := parseEntry(words); ok {
			if neg {
				if c.Lists[k][seq] != rule {
					t.Fatalf("%q deletes an entry that is not there", cmd)
				}
				delete(c.Lists[k], seq)
				continue
			}
			if c.Lists[k] == nil {
				c.Lists[k] = map[uint32]string{}
			}
			for s, r := range c.Lists[k] {
				if r == rule || s == seq {
					t.Fatalf("%q would be ignored or clash with seq %d %s", cmd, s, r)
				}
			}
			c.Lists[k][seq] = rule
			continue
		}
		switch {
		case strings.HasPrefix(cmd, "router bgp "):
			router = cmd
		case words[0] == "address-family" || cmd == " exit-address-family" || cmd == "exit":
		case words[0] == "network":
			k := AFKey{Router: router, AF: map[bool]string{true: "ipv4 unicast", false: "ipv6 unicast"}[netip.MustParsePrefix(words[1]).Addr().Is4()]}
			if c.Networks[k] == nil {
				c.Networks[k] = map[netip.Prefix]bool{}
			}
			if neg {
				delete(c.Networks[k], netip.MustParsePrefix(words[1]))
			} else {
				c.Networks[k][netip.MustParsePrefix(words[1])] = true
			}
		default:
			t.Fatalf("unexpected command %q", cmd)
		}
	}
	return c
}

func TestParse(t *testing.T) {
	got := Parse(base)
	want := Config{
		Lists: map[ListKey]map[uint32]string{
			{"ip", "192.0.2.2-allowed-ipv4"}:   {10: "permit 192.0.2.128/26", 4294967295: "deny any"},
			{"ipv6", "192.0.2.2-allowed-ipv6"}: {7: "permit 2001:db8::/64 le 128"},
		},
		Networks: map[AFKey]map[netip.Prefix]bool{
			{"router bgp 64512", "ipv4 unicast"}:         {netip.MustParsePrefix("192.0.2.128/26"): true},
			{"router bgp 64512", "ipv6 unicast"}:         {netip.MustParsePrefix("2001:db8::/64"): true},
			{"router bgp 64512 vrf red", "ipv4 unicast"}: {netip.MustParsePrefix("198.51.100.0/24"): true},
		},
		Skeleton: []string{
			"log stdout informational", "hostname node",
			"route-map 192.0.2.2-out permit 1", "match ip address prefix-list 192.0.2.2-allowed-ipv4",
			"route-map 192.0.2.2-out permit 2", "match ipv6 address prefix-list 192.0.2.2-allowed-ipv6",
			"router bgp 64512", "no bgp ebgp-requires-policy", "neighbor 192.0.2.2 remote-as 64513",
			"address-family ipv4 unicast", "neighbor 192.0.2.2 activate", "neighbor 192.0.2.2 route-map 192.0.2.2-out out",
			"router bgp 64512 vrf red", "no bgp ebgp-requires-policy",
		},
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("Parse (-want +got):\n%s", diff)
	}
}

// TestParseRunningConfig reads the layout of FRR's show running-config:
// one-space indentation, exit lines and "!" separators.
func TestParseRunningConfig(t *testing.T) {
	running := `Building configuration...

Current configuration:
!
frr version 10.3
frr defaults traditional
hostname node
!
ip prefix-list 192.0.2.2-allowed-ipv4 seq 10 permit 192.0.2.128/26
ip prefix-list 192.0.2.2-allowed-ipv4 seq 4294967295 deny any
!
router bgp 64512
 no bgp ebgp-requires-policy
 !
 address-family ipv4 unicast
  network 192.0.2.128/26
  neighbor 192.0.2.2 activate
 exit-address-family
exit
!
router bgp 64512 vrf red
 !
 address-family ipv4 unicast
  network 198.51.100.0/24
 exit-address-family
exit
!
end
`
	c := Parse(running)
	wantPlan := Plan{
		Lists: []ListKey{{"ip", "192.0.2.2-allowed-ipv4"}},
		AFs:   []AFKey{{"router bgp 64512", "ipv4 unicast"}, {"router bgp 64512 vrf red", "ipv4 unicast"}},
	}
	if err := Verify(wantPlan, Parse(base), c); err != nil {
		t.Errorf("Verify: %v", err)
	}
	wantPlan.Lists = append(wantPlan.Lists, ListKey{"ipv6", "192.0.2.2-allowed-ipv6"})
	wantPlan.AFs = append(wantPlan.AFs, AFKey{"router bgp 64512", "ipv6 unicast"})
	err := Verify(wantPlan, Parse(base), c)
	if err == nil {
		t.Fatal("Verify found no difference in lists and address families the running config lacks")
	}
	for _, want := range []string{"ipv6 prefix-list 192.0.2.2-allowed-ipv6 seq 7 is missing", "router bgp 64512 address-family ipv6 unicast network 2001:db8::/64 is missing"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Verify error lacks %q: %v", want, err)
		}
	}
}

func TestVerifyDifferences(t *testing.T) {
	plan := Plan{Lists: []ListKey{{"ip", "192.0.2.2-allowed-ipv4"}}, AFs: []AFKey{{"router bgp 64512", "ipv4 unicast"}}}
	running := edit("seq 10 permit 192.0.2.128/26", "seq 10 permit 192.0.2.128/27",
		"    network 192.0.2.128/26", "    network 192.0.2.128/26\n    network 10.0.0.0/8") +
		"ip prefix-list 192.0.2.2-allowed-ipv4 seq 5 deny any\n"
	err := Verify(plan, Parse(base), Parse(running))
	if err == nil {
		t.Fatal("Verify found no difference")
	}
	for _, want := range []string{
		`ip prefix-list 192.0.2.2-allowed-ipv4 seq 5 deny any should not be there`,
		`ip prefix-list 192.0.2.2-allowed-ipv4 seq 10 is "permit 192.0.2.128/27" instead of "permit 192.0.2.128/26"`,
		`router bgp 64512 address-family ipv4 unicast network 10.0.0.0/8 should not be there`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Verify error lacks %q: %v", want, err)
		}
	}
}

func TestDrift(t *testing.T) {
	plan := Plan{Lists: []ListKey{{"ip", "192.0.2.2-allowed-ipv4"}}, AFs: []AFKey{{"router bgp 64512", "ipv4 unicast"}}}
	tests := []struct {
		name, after string
		want        []string // substrings of the error; none: no drift
	}{
		{name: "nothing else changed", after: base},
		{
			name: "what the plan touched may change",
			after: edit("seq 10 permit 192.0.2.128/26", "seq 11 permit 192.0.2.0/26",
				"    network 192.0.2.128/26", "    network 192.0.2.0/26"),
		},
		{
			name:  "a line appeared (FRR 8.4 showing neighbor bfd again)",
			after: edit("  neighbor 192.0.2.2 remote-as 64513\n", "  neighbor 192.0.2.2 remote-as 64513\n  neighbor 192.0.2.2 bfd\n"),
			want:  []string{`drifted outside the change: line "address-family ipv4 unicast" became "neighbor 192.0.2.2 bfd"`},
		},
		{
			name:  "a line disappeared at the end",
			after: strings.TrimSuffix(base, "  no bgp ebgp-requires-policy\n\n  address-family ipv4 unicast\n    network 198.51.100.0/24\n  exit-address-family\n"),
			want:  []string{`line "no bgp ebgp-requires-policy" disappeared`, "router bgp 64512 vrf red address-family ipv4 unicast network lines changed"},
		},
		{
			name:  "a list the plan did not touch",
			after: edit("seq 7 permit 2001:db8::/64 le 128", "seq 7 permit 2001:db8::/64 le 127"),
			want:  []string{"ipv6 prefix-list 192.0.2.2-allowed-ipv6 changed"},
		},
		{
			name:  "networks the plan did not touch",
			after: edit("    network 2001:db8::/64\n", ""),
			want:  []string{"router bgp 64512 address-family ipv6 unicast network lines changed"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Drift(plan, Parse(base), Parse(tc.after))
			if len(tc.want) == 0 {
				if err != nil {
					t.Errorf("Drift = %v, want none", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Drift found nothing")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Drift error lacks %q: %v", w, err)
				}
			}
		})
	}
}

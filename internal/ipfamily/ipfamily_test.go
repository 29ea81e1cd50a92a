package ipfamily

import "testing"

func TestForAddress(t *testing.T) {
	tests := []struct {
		in      string
		want    Family
		wantErr string
	}{
		{in: "192.168.1.1", want: IPv4},
		{in: "2001:db8::1", want: IPv6},
		{in: "::ffff:192.0.2.1", want: IPv4},
		{in: "fe80::1%eth0", want: Unknown, wantErr: `IPFamilyForAddresses: Invalid address ["fe80::1%eth0"]`},
		{in: "", want: Unknown, wantErr: `IPFamilyForAddresses: Invalid address [""]`},
		{in: "1.2.3", want: Unknown, wantErr: `IPFamilyForAddresses: Invalid address ["1.2.3"]`},
	}
	for _, tc := range tests {
		got, err := ForAddress(tc.in)
		if got != tc.want {
			t.Errorf("ForAddress(%q) = %s, want %s", tc.in, got, tc.want)
		}
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if gotErr != tc.wantErr {
			t.Errorf("ForAddress(%q) error = %q, want %q", tc.in, gotErr, tc.wantErr)
		}
	}
}

func TestForCIDRString(t *testing.T) {
	tests := map[string]Family{
		"192.168.1.0/24":       IPv4,
		"192.168.1.7/24":       IPv4,
		"2001:db8::/64":        IPv6,
		"::ffff:192.0.2.0/120": IPv4,
		"192.168.1.0":          Unknown,
		"192.168.1.0/33":       Unknown,
		"not a prefix":         Unknown,
		"fe80::1%eth0/64":      Unknown,
		"":                     Unknown,
	}
	for in, want := range tests {
		if got := ForCIDRString(in); got != want {
			t.Errorf("ForCIDRString(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestParseCIDRError(t *testing.T) {
	_, err := ParseCIDR("10.0.0.0/40")
	if err == nil || err.Error() != "invalid CIDR address: 10.0.0.0/40" {
		t.Fatalf("ParseCIDR error = %v, want net.ParseCIDR's text", err)
	}
}

func TestIncludes(t *testing.T) {
	if !DualStack.Includes(IPv4) || !DualStack.Includes(IPv6) || !IPv4.Includes(IPv4) {
		t.Error("Includes misses a family it carries")
	}
	if IPv4.Includes(IPv6) || IPv6.Includes(IPv4) {
		t.Error("Includes accepts a family it does not carry")
	}
}

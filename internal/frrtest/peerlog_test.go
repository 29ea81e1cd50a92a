package frrtest

import (
	"strings"
	"testing"
)

func TestCountWithdrawals(t *testing.T) {
	log := strings.Join([]string{
		"2026/12/05 20:00:00 BGP: [XXXX] 192.0.2.1 rcvd UPDATE about 198.18.0.0/32 IPv4 unicast -- withdrawn",
		"2026/12/05 20:00:00 BGP: [XXXX] 192.0.2.11 rcvd UPDATE about 198.18.0.0/32 IPv4 unicast -- withdrawn",
		"2026/12/05 20:00:00 BGP: [XXXX] 192.0.2.1 rcvd UPDATE about 198.18.0.1/32 IPv4 unicast -- withdrawn",
		"2026/12/05 20:00:00 BGP: [XXXX] 192.0.2.1 rcvd 198.18.0.2/32 IPv4 unicast",
		"2026/12/05 20:00:00 BGP: [XXXX] 192.0.2.1 rcvd UPDATE w/ attr: nexthop 192.0.2.1",
	}, "\n")
	got, err := CountWithdrawals(strings.NewReader(log), "198.18.0.0/32")
	if err != nil {
		t.Fatal(err)
	}
	if got != 1 {
		t.Errorf("CountWithdrawals = %d, want 1 (only 198.18.0.1/32)", got)
	}
	if got, _ := CountWithdrawals(strings.NewReader(log), ""); got != 3 {
		t.Errorf("CountWithdrawals without exception = %d, want 3", got)
	}
}

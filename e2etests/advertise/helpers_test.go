package advertise

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseSizes(t *testing.T) {
	got, err := parseSizes("frr84=500,250; frr10=1000 ;")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]int{"frr84": {250, 500}, "frr10": {1000}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parseSizes (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"frr84", "frr84=x", "frr10=0"} {
		if _, err := parseSizes(bad); err == nil {
			t.Errorf("parseSizes(%q) succeeded", bad)
		}
	}
}

func TestShowsRunningConfig(t *testing.T) {
	running := "line one\nline two\nline three\n"
	cut := "line one\n! truncated: 29 bytes total\n"
	tests := []struct {
		name, stored string
		want         bool
	}{
		{"whole", running, true},
		{"cut with the right size", cut, true},
		{"cut with another size", strings.Replace(cut, "29", "30", 1), false},
		{"another text", "line zero\n", false},
		{"cut from another text", "line zero\n! truncated: 29 bytes total\n", false},
	}
	for _, tc := range tests {
		if got := showsRunningConfig(tc.stored, running); got != tc.want {
			t.Errorf("%s: showsRunningConfig = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestBenchmarkPrefixes(t *testing.T) {
	got := benchmarkPrefixes(257)
	if got[0] != "198.18.0.1/32" || got[255] != "198.18.1.0/32" || got[256] != "198.18.1.1/32" {
		t.Errorf("benchmarkPrefixes(257) = %v … %v", got[:2], got[255:])
	}
	for _, p := range got {
		if p == sortsFirst || p == sortsLast {
			t.Errorf("the set already holds %s", p)
		}
		if p < sortsFirst || p > sortsLast {
			t.Errorf("%s sorts outside %s … %s", p, sortsFirst, sortsLast)
		}
	}
}

func TestPlotSVG(t *testing.T) {
	var results []measurement
	for _, v := range []string{"frr84", "frr10"} {
		for _, l := range []string{"stable", "position"} {
			for i, n := range []int{10, 1000, 10000} {
				results = append(results, measurement{version: v, layout: l, debounce: 3000, n: n, name: "cold", peer: time.Minute, state: time.Minute})
				results = append(results, measurement{version: v, layout: l, debounce: 3000, n: n, name: changeAddLast,
					peer: time.Duration(i+1) * time.Second, state: time.Duration(i+2) * time.Second})
			}
		}
	}
	svg := plotSVG(results)
	for _, want := range []string{"<svg", "frr10 position: FRRNodeState", "frr84 stable: peer", "stroke-dasharray", "</svg>"} {
		if !strings.Contains(svg, want) {
			t.Errorf("the plot lacks %q", want)
		}
	}
	if got := strings.Count(svg, "<polyline"); got != 8 {
		t.Errorf("the plot has %d lines, want 8 (2 versions × 2 layouts × 2 end points)", got)
	}
	if strings.Contains(svg, "NaN") || strings.Contains(svg, "Inf") {
		t.Errorf("the plot has a non-finite coordinate")
	}
	if empty := plotSVG(nil); !strings.Contains(empty, "</svg>") {
		t.Errorf("the empty plot is not an SVG document: %s", empty)
	}
}

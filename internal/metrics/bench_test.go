package metrics

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-logr/logr"

	"github.com/frrk8s/frrk8s/internal/frr/vtysh"
	"github.com/frrk8s/frrk8s/internal/frr/vtysh/vtyshtest"
)

const benchPeers = 100

// scriptRunner writes the answers of fake into files and returns an Exec
// runner of a shell script that prints them: each command then costs a
// process start, as a real vtysh call does (FRR's own time excluded).
func scriptRunner(b *testing.B, fake *vtyshtest.Fake, commands []string) vtysh.Exec {
	b.Helper()
	dir := b.TempDir()
	var cases strings.Builder
	for i, command := range commands {
		out, err := fake.Run(context.Background(), command)
		if err != nil {
			b.Fatal(err)
		}
		file := filepath.Join(dir, fmt.Sprintf("%d.out", i))
		if err := os.WriteFile(file, out, 0o644); err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(&cases, "%q) exec cat %q ;;\n", command, file)
	}
	script := filepath.Join(dir, "vtysh")
	body := "#!/bin/sh\ncase \"$2\" in\n" + cases.String() + "*) echo unknown >&2; exit 1 ;;\nesac\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		b.Fatal(err)
	}
	return vtysh.Exec{Argv: []string{script}}
}

// BenchmarkScrape100Peers measures one GET of the metrics path (collectors,
// Go and process collectors, text encoding) with 100 Established BGP
// neighbors with BFD up in the default VRF, answered by a fake vtysh:
// in-process (parsing and exposition only) or a shell script per command
// (adds a process start per vtysh call, 4 per scrape).
func BenchmarkScrape100Peers(b *testing.B) {
	fake, err := vtyshtest.ManyNeighbors(benchPeers)
	if err != nil {
		b.Fatal(err)
	}
	commands := []string{
		"show bgp vrf all json",
		"show bgp vrf default neighbors json",
		"show bfd vrf default peers json",
		"show bfd vrf default peers counters json",
	}
	runners := map[string]vtysh.Runner{
		"inprocess": fake,
		"script":    scriptRunner(b, fake, commands),
	}
	for _, name := range []string{"inprocess", "script"} {
		b.Run(name, func(b *testing.B) {
			frr := vtysh.NewClient(runners[name])
			h, err := NewHandler(HandlerOptions{Gatherer: NewRegistry(frr, logr.Discard()), Log: logr.Discard()})
			if err != nil {
				b.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodGet, DefaultMetricsPath, nil)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || strings.Count(rec.Body.String(), "frrk8s_bgp_session_up{") != benchPeers {
				b.Fatalf("scrape = %d with %d session_up series, want 200 with %d",
					rec.Code, strings.Count(rec.Body.String(), "frrk8s_bgp_session_up{"), benchPeers)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("scrape = %d", rec.Code)
				}
			}
		})
	}
}

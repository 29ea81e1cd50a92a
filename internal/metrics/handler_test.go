package metrics

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-logr/logr"

	"github.com/frrk8s/frrk8s/internal/frr/vtysh"
	"github.com/frrk8s/frrk8s/internal/frr/vtysh/vtyshtest"
)

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	body, err := io.ReadAll(rec.Result().Body)
	if err != nil {
		t.Fatal(err)
	}
	return rec.Code, string(body)
}

func TestLivez(t *testing.T) {
	tests := []struct {
		name     string
		daemons  string
		fail     bool
		wantCode int
		wantBody string
	}{
		{name: "all running", daemons: vtyshtest.Captured("show_daemons.txt"), wantCode: http.StatusOK},
		{name: "bgpd killed", daemons: vtyshtest.Captured("show_daemons_bgpd_killed.txt"), wantCode: http.StatusNotFound, wantBody: "bgpd"},
		{name: "no watchfrr nor staticd", daemons: " zebra bgpd bfdd", wantCode: http.StatusNotFound, wantBody: "staticd watchfrr"},
		{name: "extra daemons", daemons: "zebra ospfd bgpd watchfrr staticd bfdd mgmtd\n", wantCode: http.StatusOK},
		{name: "frr 10 all running", daemons: vtyshtest.CapturedOf(vtyshtest.FRR10, "show_daemons.txt"), wantCode: http.StatusOK},
		{name: "frr 10 bgpd killed", daemons: vtyshtest.CapturedOf(vtyshtest.FRR10, "show_daemons_bgpd_killed.txt"), wantCode: http.StatusNotFound, wantBody: "bgpd"},
		{name: "vtysh fails", fail: true, wantCode: http.StatusInternalServerError, wantBody: "vtysh is broken"},
		{name: "empty", daemons: "", wantCode: http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := vtyshtest.NewFake(map[string]string{"show daemons": tc.daemons})
			if tc.fail {
				fake.Fail("show daemons", errors.New("vtysh is broken"))
			}
			code, body := get(t, LivezHandler(vtysh.NewClient(fake), logr.Discard()), LivezPath)
			if code != tc.wantCode || !strings.Contains(body, tc.wantBody) {
				t.Errorf("GET /livez = %d %q, want %d containing %q", code, body, tc.wantCode, tc.wantBody)
			}
		})
	}
}

// denyAll stands in for the authn/authz filter.
func denyAll(http.Handler) (http.Handler, error) {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
	}), nil
}

func newTestHandler(t *testing.T, o HandlerOptions) http.Handler {
	t.Helper()
	frr := vtysh.NewClient(vtyshtest.CapturedFake())
	o.Gatherer = NewRegistry(frr, logr.Discard())
	o.Livez = LivezHandler(frr, logr.Discard())
	h, err := NewHandler(o)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHandlerServesMetricsAndLivez(t *testing.T) {
	h := newTestHandler(t, HandlerOptions{})
	code, body := get(t, h, "/metrics")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics = %d %s", code, body)
	}
	for _, want := range []string{
		`frrk8s_bgp_session_up{peer="192.0.2.2",vrf="default"} 1`,
		`frrk8s_bgp_session_up{peer="192.0.2.10",vrf="red"} 0`,
		`frrk8s_bfd_session_up{peer="fd00::2",vrf="default"} 0`,
		"# TYPE frrk8s_bgp_opens_sent counter",
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if code, _ := get(t, h, LivezPath); code != http.StatusOK {
		t.Errorf("GET /livez = %d, want 200", code)
	}
}

func TestHandlerProtectsOnlyTheMetricsPath(t *testing.T) {
	h := newTestHandler(t, HandlerOptions{MetricsPath: "/custom", Protect: denyAll})
	if code, _ := get(t, h, "/custom"); code != http.StatusUnauthorized {
		t.Errorf("GET /custom = %d, want 401 from the filter", code)
	}
	if code, _ := get(t, h, "/metrics"); code != http.StatusNotFound {
		t.Errorf("GET /metrics with --metrics-path=/custom = %d, want 404", code)
	}
	if code, _ := get(t, h, LivezPath); code != http.StatusOK {
		t.Errorf("GET /livez = %d, want 200 without credentials", code)
	}
}

func TestHandlerProtectError(t *testing.T) {
	_, err := NewHandler(HandlerOptions{Protect: func(http.Handler) (http.Handler, error) {
		return nil, errors.New("no api server")
	}})
	if err == nil || !strings.Contains(err.Error(), "no api server") {
		t.Errorf("NewHandler error = %v", err)
	}
}

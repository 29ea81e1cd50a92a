package daemon

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/frrk8s/frrk8s/internal/e2eharness"
)

// metricsScraper reads the daemon's HTTPS metrics endpoint as a service
// account allowed to get /metrics, as Prometheus would.
type metricsScraper struct {
	url   string
	token string
	http  *http.Client
}

// newMetricsScraper creates a service account in namespace, lets it get
// /metrics and returns a scraper with one of its tokens; startDaemon sets
// its url.
func (e *e2e) newMetricsScraper(t testing.TB, cfg *rest.Config) *metricsScraper {
	t.Helper()
	name := "metrics-reader-" + e2eharness.RandomSuffix(4)
	e.create(t, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: e.namespace}})
	role, binding := e2eharness.MetricsReaderRBAC(name, e.namespace, name)
	e.create(t, role)
	e.create(t, binding)
	clientset, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	token, err := e2eharness.ServiceAccountToken(context.Background(), clientset, e.namespace, name)
	if err != nil {
		t.Fatal(err)
	}
	return &metricsScraper{
		token: token,
		http: &http.Client{
			Timeout: 10 * time.Second,
			// The endpoint serves a self-signed certificate (no --metrics-cert-dir).
			Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, //nolint:gosec // test client
		},
	}
}

// get fetches the metrics page, with the token when withToken is set.
func (s *metricsScraper) get(withToken bool) (int, string, error) {
	req, err := http.NewRequest(http.MethodGet, s.url, nil)
	if err != nil {
		return 0, "", err
	}
	if withToken {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// metricValue returns the value of an unlabelled metric in a text exposition.
func metricValue(page, name string) (float64, bool) {
	for line := range strings.SplitSeq(page, "\n") {
		if rest, ok := strings.CutPrefix(line, name+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			return v, err == nil
		}
	}
	return 0, false
}

// clientMetrics are the daemon's frrk8s_k8s_client_* values.
type clientMetrics struct {
	Updates, Errors, Loaded, Stale float64
}

// read scrapes the client metrics.
func (s *metricsScraper) read() (clientMetrics, error) {
	code, page, err := s.get(true)
	if err != nil {
		return clientMetrics{}, err
	}
	if code != http.StatusOK {
		return clientMetrics{}, fmt.Errorf("GET %s: status %d: %s", s.url, code, page)
	}
	var m clientMetrics
	for name, dst := range map[string]*float64{
		"frrk8s_k8s_client_updates_total":       &m.Updates,
		"frrk8s_k8s_client_update_errors_total": &m.Errors,
		"frrk8s_k8s_client_config_loaded_bool":  &m.Loaded,
		"frrk8s_k8s_client_config_stale_bool":   &m.Stale,
	} {
		v, ok := metricValue(page, name)
		if !ok {
			return m, fmt.Errorf("%s missing from the metrics page", name)
		}
		*dst = v
	}
	return m, nil
}

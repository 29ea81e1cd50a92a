//go:build benchscale

package benchscale

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/frrk8s/frrk8s/internal/e2eharness"
)

// scraperName names the ServiceAccount, ClusterRole and binding that may
// read the daemon's metrics.
const scraperName = "bench-metrics-reader"

// metricsToken creates a ServiceAccount allowed to GET /metrics and
// returns a token for it: the daemon's metrics endpoint authenticates the
// bearer with a TokenReview and authorizes it with a SubjectAccessReview.
func metricsToken(ctx context.Context, cfg *rest.Config, cl client.Client) (string, error) {
	role, binding := e2eharness.MetricsReaderRBAC(scraperName, benchNamespace, scraperName)
	objs := []client.Object{
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: scraperName, Namespace: benchNamespace}},
		role, binding,
	}
	for _, o := range objs {
		if err := cl.Create(ctx, o); err != nil {
			return "", fmt.Errorf("creating %T %s: %w", o, o.GetName(), err)
		}
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return "", fmt.Errorf("creating a clientset: %w", err)
	}
	return e2eharness.ServiceAccountToken(ctx, cs, benchNamespace, scraperName)
}

// scraper reads the daemon's Prometheus endpoint.
type scraper struct {
	url, token string
	http       *http.Client
}

func newScraper(url, token string) *scraper {
	return &scraper{url: url, token: token, http: &http.Client{
		Timeout: 10 * time.Second,
		// The daemon serves a self-signed certificate without --metrics-cert-dir.
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, //nolint:gosec // local self-signed endpoint
	}}
}

// metrics are samples by series ("name" or "name{labels}").
type metrics map[string]float64

// sum adds the samples of every series of a metric name.
func (m metrics) sum(name string) float64 {
	var total float64
	for series, v := range m {
		if series == name || strings.HasPrefix(series, name+"{") {
			total += v
		}
	}
	return total
}

// scrape fetches and parses the endpoint.
func (s *scraper) scrape(ctx context.Context) (metrics, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := s.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("scraping %s: %w", s.url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, fmt.Errorf("scraping %s: %s: %s", s.url, resp.Status, body)
	}
	return parseMetrics(resp.Body)
}

// parseMetrics reads the Prometheus text format: one "series value" per
// line, comments skipped.
func parseMetrics(r io.Reader) (metrics, error) {
	res := metrics{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			continue
		}
		res[line[:i]] = v
	}
	return res, sc.Err()
}

// waitScrape retries scrape until the endpoint answers.
func (s *scraper) waitScrape(ctx context.Context, timeout time.Duration) (metrics, error) {
	deadline := time.Now().Add(timeout)
	for {
		m, err := s.scrape(ctx)
		if err == nil {
			return m, nil
		}
		if time.Now().After(deadline) {
			return nil, err
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// saveHeapProfile downloads the daemon's heap profile (go tool pprof reads
// it) into path.
func saveHeapProfile(ctx context.Context, url, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("fetching the heap profile: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetching the heap profile: %s", resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return fmt.Errorf("writing the heap profile: %w", err)
	}
	return f.Close()
}

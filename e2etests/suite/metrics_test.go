package suite

import (
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// sample is one line of a Prometheus text exposition.
type sample struct {
	name   string
	labels map[string]string
	value  float64
}

// parseExposition reads the samples of a text exposition; comments and
// lines it cannot read are skipped.
func parseExposition(page string) []sample {
	var samples []sample
	for line := range strings.SplitSeq(page, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if s, ok := parseSample(line); ok {
			samples = append(samples, s)
		}
	}
	return samples
}

// parseSample reads `name{k="v",...} value` or `name value`. Label values
// with commas or escaped quotes are not expected in these metrics.
func parseSample(line string) (sample, bool) {
	s := sample{labels: map[string]string{}}
	head, valueText, ok := cutLast(line, " ")
	if !ok {
		return s, false
	}
	v, err := strconv.ParseFloat(valueText, 64)
	if err != nil {
		return s, false
	}
	s.value = v
	name, labels, hasLabels := strings.Cut(head, "{")
	s.name = name
	if hasLabels {
		for pair := range strings.SplitSeq(strings.TrimSuffix(labels, "}"), ",") {
			k, v, ok := strings.Cut(pair, "=")
			if ok {
				s.labels[k] = strings.Trim(v, `"`)
			}
		}
	}
	return s, true
}

func cutLast(s, sep string) (string, string, bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// find returns the value of the sample named name whose labels include want.
func find(samples []sample, name string, want map[string]string) (float64, bool) {
	for _, s := range samples {
		if s.name != name {
			continue
		}
		match := true
		for k, v := range want {
			if s.labels[k] != v {
				match = false
				break
			}
		}
		if match {
			return s.value, true
		}
	}
	return 0, false
}

// scraper reads an HTTPS metrics endpoint with a bearer token, as
// Prometheus does; the endpoints serve self-signed certificates.
type scraper struct {
	token string
	http  *http.Client
}

// scrape returns the status code and body of GET url, with the token when
// withToken is set.
func (s *scraper) scrape(url string, withToken bool) (int, string, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, "", fmt.Errorf("building the request for %s: %w", url, err)
	}
	if withToken {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, "", fmt.Errorf("reading %s: %w", url, err)
	}
	return resp.StatusCode, string(body), nil
}

// samples scrapes url with the token and parses the page; any status but
// 200 is an error.
func (s *scraper) samples(url string) ([]sample, error) {
	code, page, err := s.scrape(url, true)
	if err != nil {
		return nil, err
	}
	if code != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d: %s", url, code, page)
	}
	return parseExposition(page), nil
}

// newScraper creates a service account allowed to GET /metrics, requests a
// token for it through the TokenRequest API and removes it all when the
// spec ends.
func newScraper() *scraper {
	GinkgoHelper()
	name := uniqueName("e2e-metrics-reader")
	labels := map[string]string{ownerLabel: "true"}
	objects := []client.Object{
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: env.namespace, Labels: labels}},
		&rbacv1.ClusterRole{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
			Rules:      []rbacv1.PolicyRule{{NonResourceURLs: []string{"/metrics"}, Verbs: []string{"get"}}},
		},
		&rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: name, Namespace: env.namespace}},
		},
	}
	for _, o := range objects {
		Expect(k8s.Create(ctx(), o)).To(Succeed(), "creating %T %s", o, name)
		DeferCleanup(deleteObject, o)
	}
	token, err := clientset.CoreV1().ServiceAccounts(env.namespace).CreateToken(ctx(), name,
		&authenticationv1.TokenRequest{}, metav1.CreateOptions{})
	Expect(err).NotTo(HaveOccurred(), "requesting a token for %s", name)
	return &scraper{
		token: token.Status.Token,
		http: &http.Client{
			Timeout:   30 * time.Second,
			Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, //nolint:gosec // self-signed test endpoints
		},
	}
}

var _ = Describe("Metrics", func() {
	var s *scraper

	BeforeEach(func() {
		if env.metricsURL == "" {
			Skip(envMetricsURL + " is not set")
		}
		createConfig(newConfig("metrics", peerNeighbor()))
		s = newScraper()
	})

	It("exports the session and its counters from frr-metrics to an authorised scraper", func() {
		peer := map[string]string{"peer": env.peerAddress.String()}
		Eventually(func() ([]sample, error) { return s.samples(env.metricsURL) }).Should(
			WithTransform(func(ss []sample) float64 { v, _ := find(ss, "frrk8s_bgp_session_up", peer); return v }, Equal(1.0)),
			"frrk8s_bgp_session_up{peer=%q} never became 1", env.peerAddress)

		samples, err := s.samples(env.metricsURL)
		Expect(err).NotTo(HaveOccurred())
		for _, name := range []string{
			"frrk8s_bgp_opens_sent", "frrk8s_bgp_opens_received",
			"frrk8s_bgp_keepalives_sent", "frrk8s_bgp_keepalives_received",
			"frrk8s_bgp_updates_total", "frrk8s_bgp_updates_total_received",
			"frrk8s_bgp_total_sent", "frrk8s_bgp_total_received",
		} {
			v, ok := find(samples, name, peer)
			Expect(ok).To(BeTrue(), "%s{peer=%q} is missing", name, env.peerAddress)
			Expect(v).To(BeNumerically(">=", 1), "%s{peer=%q}", name, env.peerAddress)
		}
		for _, name := range []string{"frrk8s_bgp_announced_prefixes_total", "frrk8s_bgp_received_prefixes_total", "frrk8s_bgp_notifications_sent"} {
			_, ok := find(samples, name, peer)
			Expect(ok).To(BeTrue(), "%s{peer=%q} is missing", name, env.peerAddress)
		}
	})

	It("refuses a scrape without a token", func() {
		code, _, err := s.scrape(env.metricsURL, false)
		Expect(err).NotTo(HaveOccurred())
		Expect(code).To(BeElementOf(http.StatusUnauthorized, http.StatusForbidden))
	})

	It("exports the daemon's client metrics", func() {
		if env.controllerMetricsURL == "" {
			Skip(envControllerMetrics + " is not set")
		}
		Eventually(func() ([]sample, error) { return s.samples(env.controllerMetricsURL) }).Should(SatisfyAll(
			WithTransform(func(ss []sample) float64 { v, _ := find(ss, "frrk8s_k8s_client_config_loaded_bool", nil); return v }, Equal(1.0)),
			WithTransform(func(ss []sample) float64 { v, _ := find(ss, "frrk8s_k8s_client_updates_total", nil); return v }, BeNumerically(">=", 1)),
		), "the daemon's metrics never reported a loaded config")
		code, _, err := s.scrape(env.controllerMetricsURL, false)
		Expect(err).NotTo(HaveOccurred())
		Expect(code).To(BeElementOf(http.StatusUnauthorized, http.StatusForbidden))
	})
})

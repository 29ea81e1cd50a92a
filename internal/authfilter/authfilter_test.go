package authfilter

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	k8stesting "k8s.io/client-go/testing"
)

const (
	goodToken   = "good-token-1f2e3d"
	deniedToken = "denied-token-4c5b6a"
	badToken    = "bad-token-9a8b7c"
)

// fakeClock is a settable cache clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) step(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fakeAPI is a fake clientset answering TokenReviews and
// SubjectAccessReviews: goodToken is alice, allowed to get /metrics;
// deniedToken is bob, allowed nothing; any other token is not
// authenticated. tokenErr and sarErr make the calls fail.
type fakeAPI struct {
	*fake.Clientset
	mu       sync.Mutex
	tokenErr error
	sarErr   error
	sars     []authorizationv1.SubjectAccessReviewSpec
}

func newFakeAPI() *fakeAPI {
	f := &fakeAPI{Clientset: fake.NewClientset()}
	f.PrependReactor("create", "tokenreviews", func(a k8stesting.Action) (bool, runtime.Object, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.tokenErr != nil {
			return true, nil, f.tokenErr
		}
		tr := a.(k8stesting.CreateAction).GetObject().(*authenticationv1.TokenReview).DeepCopy()
		switch tr.Spec.Token {
		case goodToken:
			tr.Status = authenticationv1.TokenReviewStatus{Authenticated: true, User: authenticationv1.UserInfo{
				Username: "alice", UID: "uid-alice", Groups: []string{"scrapers"},
				Extra: map[string]authenticationv1.ExtraValue{"team": {"net"}},
			}}
		case deniedToken:
			tr.Status = authenticationv1.TokenReviewStatus{Authenticated: true, User: authenticationv1.UserInfo{
				Username: "bob", Groups: []string{"system:authenticated"},
			}}
		default:
			tr.Status = authenticationv1.TokenReviewStatus{Error: "invalid bearer token " + tr.Spec.Token}
		}
		return true, tr, nil
	})
	f.PrependReactor("create", "subjectaccessreviews", func(a k8stesting.Action) (bool, runtime.Object, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.sarErr != nil {
			return true, nil, f.sarErr
		}
		sar := a.(k8stesting.CreateAction).GetObject().(*authorizationv1.SubjectAccessReview).DeepCopy()
		f.sars = append(f.sars, sar.Spec)
		nr := sar.Spec.NonResourceAttributes
		sar.Status.Allowed = sar.Spec.User == "alice" && nr != nil && nr.Path == "/metrics" && nr.Verb == "get"
		if !sar.Status.Allowed {
			sar.Status.Reason = "no RBAC policy matched"
		}
		return true, sar, nil
	})
	return f
}

// calls counts the API calls by resource.
func (f *fakeAPI) calls() map[string]int {
	n := map[string]int{}
	for _, a := range f.Actions() {
		n[a.GetResource().Resource]++
	}
	return n
}

// setup returns the protected handler, the fake API, the clock and the log
// output (every verbosity).
func setup(t *testing.T) (http.Handler, *fakeAPI, *fakeClock, *strings.Builder) {
	t.Helper()
	api := newFakeAPI()
	clk := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	logs := &strings.Builder{}
	var mu sync.Mutex
	log := funcr.New(func(prefix, args string) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintln(logs, prefix, args)
	}, funcr.Options{Verbosity: 10})
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			http.Error(w, "the handler saw the token", http.StatusTeapot)
			return
		}
		_, _ = io.WriteString(w, "metrics")
	})
	h, err := newReviewer(api.AuthenticationV1(), api.AuthorizationV1(), clk).filter(log, inner)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, tok := range []string{goodToken, deniedToken, badToken} {
			if strings.Contains(logs.String(), tok) {
				t.Errorf("the log has the token %q:\n%s", tok, logs)
			}
		}
	})
	return h, api, clk, logs
}

func do(h http.Handler, method, path, auth string) (int, string) {
	req := httptest.NewRequest(method, path, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func TestNoToken(t *testing.T) {
	h, api, _, _ := setup(t)
	for _, auth := range []string{"", "Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Bearer  " + goodToken, goodToken} {
		if code, body := do(h, http.MethodGet, "/metrics", auth); code != http.StatusUnauthorized || !strings.Contains(body, "Unauthorized") {
			t.Errorf("Authorization %q: %d %q, want 401 Unauthorized", auth, code, body)
		}
	}
	if n := api.calls(); len(n) != 0 {
		t.Errorf("API calls without a token: %v, want none", n)
	}
}

func TestBadToken(t *testing.T) {
	h, api, clk, _ := setup(t)
	for i := range 2 {
		if code, body := do(h, http.MethodGet, "/metrics", "Bearer "+badToken); code != http.StatusUnauthorized || !strings.Contains(body, "Unauthorized") {
			t.Errorf("request %d: %d %q, want 401 Unauthorized", i, code, body)
		}
	}
	if n := api.calls(); !reflect.DeepEqual(n, map[string]int{"tokenreviews": 1}) {
		t.Errorf("API calls for two requests with a bad token: %v, want one TokenReview", n)
	}
	clk.step(UnauthenticatedTTL + time.Second)
	do(h, http.MethodGet, "/metrics", "bearer "+badToken)
	if n := api.calls(); n["tokenreviews"] != 2 {
		t.Errorf("API calls after the TTL: %v, want a second TokenReview", n)
	}
}

func TestForbidden(t *testing.T) {
	h, api, _, _ := setup(t)
	code, body := do(h, http.MethodGet, "/metrics", "Bearer "+deniedToken)
	if code != http.StatusForbidden || !strings.Contains(body, "Authorization denied for user bob") {
		t.Errorf("denied user: %d %q, want 403 Authorization denied for user bob", code, body)
	}
	// alice may get /metrics, not post it nor get another path.
	for _, c := range []struct{ method, path string }{{http.MethodPost, "/metrics"}, {http.MethodGet, "/debug"}} {
		if code, _ := do(h, c.method, c.path, "Bearer "+goodToken); code != http.StatusForbidden {
			t.Errorf("%s %s as alice: %d, want 403", c.method, c.path, code)
		}
	}
	want := []authorizationv1.SubjectAccessReviewSpec{
		{User: "bob", Groups: []string{"system:authenticated"},
			NonResourceAttributes: &authorizationv1.NonResourceAttributes{Path: "/metrics", Verb: "get"}},
		{User: "alice", UID: "uid-alice", Groups: []string{"scrapers", "system:authenticated"},
			Extra:                 map[string]authorizationv1.ExtraValue{"team": {"net"}},
			NonResourceAttributes: &authorizationv1.NonResourceAttributes{Path: "/metrics", Verb: "post"}},
		{User: "alice", UID: "uid-alice", Groups: []string{"scrapers", "system:authenticated"},
			Extra:                 map[string]authorizationv1.ExtraValue{"team": {"net"}},
			NonResourceAttributes: &authorizationv1.NonResourceAttributes{Path: "/debug", Verb: "get"}},
	}
	if !reflect.DeepEqual(api.sars, want) {
		t.Errorf("SubjectAccessReviews:\n got %+v\nwant %+v", api.sars, want)
	}
}

func TestAllowedAndCached(t *testing.T) {
	h, api, clk, _ := setup(t)
	for i := range 3 {
		if code, body := do(h, http.MethodGet, "/metrics", "Bearer "+goodToken); code != http.StatusOK || body != "metrics" {
			t.Fatalf("request %d: %d %q, want 200 metrics", i, code, body)
		}
	}
	want := map[string]int{"tokenreviews": 1, "subjectaccessreviews": 1}
	if n := api.calls(); !reflect.DeepEqual(n, want) {
		t.Errorf("API calls for three requests: %v, want %v", n, want)
	}
	clk.step(AuthenticatedTTL + time.Second)
	if code, _ := do(h, http.MethodGet, "/metrics", "Bearer "+goodToken); code != http.StatusOK {
		t.Errorf("after the TTL: %d, want 200", code)
	}
	want = map[string]int{"tokenreviews": 2, "subjectaccessreviews": 2}
	if n := api.calls(); !reflect.DeepEqual(n, want) {
		t.Errorf("API calls after the TTL: %v, want %v", n, want)
	}
}

func TestAPIErrors(t *testing.T) {
	h, api, _, logs := setup(t)
	api.tokenErr = errors.New("connection refused while reviewing " + goodToken)
	if code, body := do(h, http.MethodGet, "/metrics", "Bearer "+goodToken); code != http.StatusInternalServerError || strings.Contains(body, goodToken) {
		t.Errorf("TokenReview fails: %d %q, want 500 without the token", code, body)
	}
	if !strings.Contains(logs.String(), "authentication failed") || !strings.Contains(logs.String(), "[redacted]") {
		t.Errorf("the TokenReview error is not logged (redacted):\n%s", logs)
	}
	// Errors are not cached.
	api.tokenErr = nil
	api.sarErr = errors.New("etcdserver: request timed out")
	if code, body := do(h, http.MethodGet, "/metrics", "Bearer "+goodToken); code != http.StatusInternalServerError || !strings.Contains(body, "Authorization for user alice failed") {
		t.Errorf("SubjectAccessReview fails: %d %q, want 500 Authorization for user alice failed", code, body)
	}
	if !strings.Contains(logs.String(), "etcdserver: request timed out") {
		t.Errorf("the SubjectAccessReview error is not logged:\n%s", logs)
	}
	api.sarErr = nil
	if code, _ := do(h, http.MethodGet, "/metrics", "Bearer "+goodToken); code != http.StatusOK {
		t.Errorf("after the errors: %d, want 200", code)
	}
}

func TestCacheBounded(t *testing.T) {
	api := newFakeAPI()
	rev := newReviewer(api.AuthenticationV1(), api.AuthorizationV1(), &fakeClock{now: time.Now()})
	f, _ := rev.filter(logr.Discard(), http.NotFoundHandler())
	for i := range 3 * CacheSize {
		do(f, http.MethodGet, "/metrics", fmt.Sprintf("Bearer flood-%d", i))
	}
	if n := len(rev.tokens.Keys()); n != CacheSize {
		t.Errorf("token cache after %d bad tokens: %d entries, want %d", 3*CacheSize, n, CacheSize)
	}
}

// decode reads a request body as the API server does, JSON or protobuf.
func decode(r *http.Request, into runtime.Object) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	_, _, err = scheme.Codecs.UniversalDeserializer().Decode(body, nil, into)
	return err
}

// TestNew checks New against an HTTP fake of the API server: the requests
// it sends and how it reads the answers.
func TestNew(t *testing.T) {
	var mu sync.Mutex
	paths := map[string]int{}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths[r.Method+" "+r.URL.Path]++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/apis/authentication.k8s.io/v1/tokenreviews":
			var tr authenticationv1.TokenReview
			if err := decode(r, &tr); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			if tr.Spec.Token == "boom" {
				http.Error(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","code":500}`, http.StatusInternalServerError)
				return
			}
			tr.Status = authenticationv1.TokenReviewStatus{Authenticated: tr.Spec.Token == goodToken, User: authenticationv1.UserInfo{Username: "alice"}}
			_ = json.NewEncoder(w).Encode(tr)
		case "/apis/authorization.k8s.io/v1/subjectaccessreviews":
			var sar authorizationv1.SubjectAccessReview
			if err := decode(r, &sar); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			sar.Status.Allowed = sar.Spec.User == "alice" && sar.Spec.NonResourceAttributes.Path == "/metrics" &&
				reflect.DeepEqual(sar.Spec.Groups, []string{"system:authenticated"})
			_ = json.NewEncoder(w).Encode(sar)
		default:
			http.NotFound(w, r)
		}
	}))
	defer api.Close()

	cfg := &rest.Config{Host: api.URL}
	httpClient, err := rest.HTTPClientFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	filter, err := New(cfg, httpClient)
	if err != nil {
		t.Fatal(err)
	}
	h, err := filter(logr.Discard(), http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path, token string
		want        int
	}{
		{"/metrics", "", http.StatusUnauthorized},
		{"/metrics", badToken, http.StatusUnauthorized},
		{"/metrics", "boom", http.StatusInternalServerError},
		{"/debug", goodToken, http.StatusForbidden},
		{"/metrics", goodToken, http.StatusOK},
		{"/metrics", goodToken, http.StatusOK},
	} {
		auth := ""
		if c.token != "" {
			auth = "Bearer " + c.token
		}
		if code, body := do(h, http.MethodGet, c.path, auth); code != c.want {
			t.Errorf("GET %s with %q: %d %q, want %d", c.path, c.token, code, body, c.want)
		}
	}
	want := map[string]int{
		"POST /apis/authentication.k8s.io/v1/tokenreviews":        3, // bad, boom, good (then cached)
		"POST /apis/authorization.k8s.io/v1/subjectaccessreviews": 2, // /debug, /metrics (then cached)
	}
	if !reflect.DeepEqual(paths, want) {
		t.Errorf("API requests %v, want %v", paths, want)
	}
}

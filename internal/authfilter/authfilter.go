// Package authfilter protects an HTTP handler, typically /metrics, with the
// Kubernetes API server's delegated authentication and authorization: the
// bearer token of each request is checked with a TokenReview and the request
// path and verb with a SubjectAccessReview.
//
// It does what controller-runtime's
// sigs.k8s.io/controller-runtime/pkg/metrics/filters.WithAuthenticationAndAuthorization
// does, as far as a client can see, but it is built on client-go only: that
// package links k8s.io/apiserver (and with it gRPC, OpenTelemetry and
// cel-go), several MiB of resident binary pages in every daemon. One
// difference on purpose: a token the API server does not authenticate gets
// 401 Unauthorized here, where controller-runtime answers 500
// "Authentication failed".
package authfilter

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-logr/logr"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/cache"
	authenticationv1client "k8s.io/client-go/kubernetes/typed/authentication/v1"
	authorizationv1client "k8s.io/client-go/kubernetes/typed/authorization/v1"
	"k8s.io/client-go/rest"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
)

const (
	// CacheSize bounds each of the two decision caches (TokenReview results
	// and SubjectAccessReview results); the least recently used entry is
	// dropped first, so a flood of bad tokens cannot grow memory without
	// bound.
	CacheSize = 1024
	// AuthenticatedTTL is how long a token the API server authenticated is
	// trusted without asking again.
	AuthenticatedTTL = 10 * time.Second
	// UnauthenticatedTTL is how long a token the API server refused is
	// refused without asking again.
	UnauthenticatedTTL = 10 * time.Second
	// AllowedTTL is how long an allowed SubjectAccessReview is reused.
	AllowedTTL = 10 * time.Second
	// DeniedTTL is how long a denied SubjectAccessReview is reused.
	DeniedTTL = 10 * time.Second
	// RequestTimeout bounds each TokenReview and SubjectAccessReview call.
	RequestTimeout = 10 * time.Second
)

// User and group names the API server gives every authenticated request
// (k8s.io/apiserver/pkg/authentication/user).
const (
	anonymousUser         = "system:anonymous"
	allAuthenticatedGroup = "system:authenticated"
	allUnauthenticatedGrp = "system:unauthenticated"
)

// New returns a filter that lets a request reach the handler only when its
// bearer token is authenticated by a TokenReview and the token's user may
// use the request's verb on its path according to a SubjectAccessReview,
// both created on the API server of cfg through httpClient. It answers 401
// without a token or with a token the API server does not authenticate, 403
// when the user is not allowed and 500 when the API server cannot be asked.
// Decisions are cached for a few seconds (AuthenticatedTTL,
// UnauthenticatedTTL, AllowedTTL, DeniedTTL), at most CacheSize of each.
//
// Its type is controller-runtime's metricsserver.Options.FilterProvider.
// The caller's service account needs "create" on tokenreviews
// (authentication.k8s.io) and subjectaccessreviews (authorization.k8s.io).
func New(cfg *rest.Config, httpClient *http.Client) (metricsserver.Filter, error) {
	// The two group clients rather than kubernetes.NewForConfigAndClient:
	// the full clientset would link every API group's client.
	authn, err := authenticationv1client.NewForConfigAndClient(cfg, httpClient)
	if err != nil {
		return nil, fmt.Errorf("create the authentication.k8s.io client: %w", err)
	}
	authz, err := authorizationv1client.NewForConfigAndClient(cfg, httpClient)
	if err != nil {
		return nil, fmt.Errorf("create the authorization.k8s.io client: %w", err)
	}
	return newReviewer(authn, authz, realClock{}).filter, nil
}

// clock is cache.Clock, swapped in tests.
type clock = cache.Clock

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// reviewer asks the API server and caches its answers.
type reviewer struct {
	tokenReviews authenticationv1client.TokenReviewsGetter
	accessReview authorizationv1client.SubjectAccessReviewsGetter
	// tokens maps tokenKey(token) to a tokenResult.
	tokens *cache.LRUExpireCache
	// decisions maps the JSON of a SubjectAccessReviewSpec to a
	// SubjectAccessReviewStatus.
	decisions *cache.LRUExpireCache
}

func newReviewer(authn authenticationv1client.TokenReviewsGetter, authz authorizationv1client.SubjectAccessReviewsGetter, clk clock) *reviewer {
	return &reviewer{
		tokenReviews: authn,
		accessReview: authz,
		tokens:       cache.NewLRUExpireCacheWithClock(CacheSize, clk),
		decisions:    cache.NewLRUExpireCacheWithClock(CacheSize, clk),
	}
}

// tokenResult is a cached TokenReview answer: the user, or nil when the
// token is not authenticated.
type tokenResult struct {
	user *authenticationv1.UserInfo
}

// filter is the metricsserver.Filter: it wraps handler.
func (r *reviewer) filter(log logr.Logger, handler http.Handler) (http.Handler, error) {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		token, ok := bearerToken(req)
		if !ok {
			log.V(4).Info("no bearer token")
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		user, err := r.authenticate(req.Context(), token)
		if err != nil {
			log.Error(redact(err, token), "authentication failed")
			http.Error(w, "Authentication failed", http.StatusInternalServerError)
			return
		}
		if user == nil {
			log.V(4).Info("token not authenticated")
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		// As the API server does: the handler never sees the token.
		req.Header.Del("Authorization")

		spec := authorizationv1.SubjectAccessReviewSpec{
			User:   user.Username,
			UID:    user.UID,
			Groups: withAuthenticatedGroup(user.Username, user.Groups),
			Extra:  sarExtra(user.Extra),
			NonResourceAttributes: &authorizationv1.NonResourceAttributes{
				Path: req.URL.Path,
				Verb: strings.ToLower(req.Method),
			},
		}
		status, err := r.authorize(req.Context(), spec)
		if err == nil && status.Allowed && status.Denied {
			err = errors.New("subject access review returned both allow and deny")
		}
		if err != nil {
			log.Error(redact(err, token), "authorization failed", "user", user.Username, "path", spec.NonResourceAttributes.Path, "verb", spec.NonResourceAttributes.Verb)
			http.Error(w, fmt.Sprintf("Authorization for user %s failed", user.Username), http.StatusInternalServerError)
			return
		}
		if !status.Allowed {
			log.V(4).Info("authorization denied", "user", user.Username, "path", spec.NonResourceAttributes.Path, "verb", spec.NonResourceAttributes.Verb, "reason", status.Reason)
			http.Error(w, fmt.Sprintf("Authorization denied for user %s", user.Username), http.StatusForbidden)
			return
		}
		handler.ServeHTTP(w, req)
	}), nil
}

// bearerToken returns the token of an "Authorization: Bearer <token>"
// header, parsed as the API server does.
func bearerToken(req *http.Request) (string, bool) {
	auth := strings.TrimSpace(req.Header.Get("Authorization"))
	parts := strings.SplitN(auth, " ", 3)
	if len(parts) < 2 || !strings.EqualFold(parts[0], "bearer") || parts[1] == "" {
		return "", false
	}
	return parts[1], true
}

// tokenKey is the cache key of a token: its SHA-256, so the cache does not
// keep tokens.
func tokenKey(token string) [sha256.Size]byte {
	return sha256.Sum256([]byte(token))
}

// authenticate returns the user of token, nil when the API server does not
// authenticate it, or the error of the TokenReview. The TokenReview names no
// audience: the API server checks its own (controller-runtime's filter
// does the same).
func (r *reviewer) authenticate(ctx context.Context, token string) (*authenticationv1.UserInfo, error) {
	key := tokenKey(token)
	if v, ok := r.tokens.Get(key); ok {
		return v.(tokenResult).user, nil
	}
	ctx, cancel := context.WithTimeout(ctx, RequestTimeout)
	defer cancel()
	review, err := r.tokenReviews.TokenReviews().Create(ctx, &authenticationv1.TokenReview{
		Spec: authenticationv1.TokenReviewSpec{Token: token},
	}, metav1.CreateOptions{})
	if err != nil {
		return nil, fmt.Errorf("create TokenReview: %w", err)
	}
	if !review.Status.Authenticated {
		r.tokens.Add(key, tokenResult{}, UnauthenticatedTTL)
		return nil, nil
	}
	user := review.Status.User
	r.tokens.Add(key, tokenResult{user: &user}, AuthenticatedTTL)
	return &user, nil
}

// authorize returns the status of the SubjectAccessReview of spec.
func (r *reviewer) authorize(ctx context.Context, spec authorizationv1.SubjectAccessReviewSpec) (authorizationv1.SubjectAccessReviewStatus, error) {
	k, err := json.Marshal(spec)
	if err != nil {
		return authorizationv1.SubjectAccessReviewStatus{}, fmt.Errorf("encode SubjectAccessReview: %w", err)
	}
	key := string(k)
	if v, ok := r.decisions.Get(key); ok {
		return v.(authorizationv1.SubjectAccessReviewStatus), nil
	}
	ctx, cancel := context.WithTimeout(ctx, RequestTimeout)
	defer cancel()
	review, err := r.accessReview.SubjectAccessReviews().Create(ctx, &authorizationv1.SubjectAccessReview{Spec: spec}, metav1.CreateOptions{})
	if err != nil {
		return authorizationv1.SubjectAccessReviewStatus{}, fmt.Errorf("create SubjectAccessReview: %w", err)
	}
	ttl := DeniedTTL
	if review.Status.Allowed {
		ttl = AllowedTTL
	}
	r.decisions.Add(key, review.Status, ttl)
	return review.Status, nil
}

// withAuthenticatedGroup adds system:authenticated to groups as the API
// server's authenticator does, unless the user is anonymous or groups
// already have it or system:unauthenticated.
func withAuthenticatedGroup(username string, groups []string) []string {
	if username == anonymousUser {
		return groups
	}
	for _, g := range groups {
		if g == allAuthenticatedGroup || g == allUnauthenticatedGrp {
			return groups
		}
	}
	return append(groups[:len(groups):len(groups)], allAuthenticatedGroup)
}

// sarExtra converts the TokenReview's extra user attributes.
func sarExtra(extra map[string]authenticationv1.ExtraValue) map[string]authorizationv1.ExtraValue {
	if extra == nil {
		return nil
	}
	out := make(map[string]authorizationv1.ExtraValue, len(extra))
	for k, v := range extra {
		out[k] = authorizationv1.ExtraValue(v)
	}
	return out
}

// redact returns err with every occurrence of token replaced, for logging.
func redact(err error, token string) error {
	msg := err.Error()
	if token == "" || !strings.Contains(msg, token) {
		return err
	}
	return errors.New(strings.ReplaceAll(msg, token, "[redacted]"))
}

package metrics

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/rest"

	"github.com/frrk8s/frrk8s/internal/authfilter"
	"github.com/frrk8s/frrk8s/internal/frr/vtysh"
)

// LivezPath is the path of the FRR liveness check; it is never behind the
// authn/authz filter.
const LivezPath = "/livez"

// DefaultMetricsPath is the default --metrics-path.
const DefaultMetricsPath = "/metrics"

// RequiredDaemons are the FRR daemons /livez requires in `show daemons`.
var RequiredDaemons = []string{"bfdd", "bgpd", "staticd", "watchfrr", "zebra"}

// livezTimeout bounds the `show daemons` call of one /livez request.
const livezTimeout = 10 * time.Second

// NewRegistry returns a registry with the BGP and BFD collectors asking frr
// plus the default Go and process collectors.
func NewRegistry(frr *vtysh.Client, log logr.Logger) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		NewBGPCollector(frr, log),
		NewBFDCollector(frr, log),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return reg
}

// LivezHandler answers 200 when every RequiredDaemons member is listed by
// `show daemons`, 404 when one is missing and 500 when vtysh fails.
func LivezHandler(frr *vtysh.Client, log logr.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		ctx, cancel := context.WithTimeout(req.Context(), livezTimeout)
		defer cancel()
		daemons, err := frr.Daemons(ctx)
		if err != nil {
			log.Error(err, "failed to list the FRR daemons")
			http.Error(w, fmt.Sprintf("failed to list the FRR daemons: %v", err), http.StatusInternalServerError)
			return
		}
		if missing := sets.List(sets.New(RequiredDaemons...).Delete(daemons...)); len(missing) > 0 {
			log.Error(nil, "FRR daemons are not running", "missing", missing)
			http.Error(w, "FRR daemons not running: "+strings.Join(missing, " "), http.StatusNotFound)
			return
		}
		_, _ = fmt.Fprintln(w, "ok")
	})
}

// Protect wraps the metrics handler, e.g. with the Kubernetes authn/authz
// filter.
type Protect func(http.Handler) (http.Handler, error)

// HandlerOptions configure NewHandler.
type HandlerOptions struct {
	// MetricsPath serves Gatherer; DefaultMetricsPath when empty.
	MetricsPath string
	// Gatherer is the registry to expose.
	Gatherer prometheus.Gatherer
	// Livez serves LivezPath, unprotected; nil leaves it unserved.
	Livez http.Handler
	// Protect wraps the metrics handler; nil serves it to anyone (tests).
	Protect Protect
	// Log receives exposition errors.
	Log logr.Logger
}

// NewHandler returns the HTTP handler of frr-metrics: the metrics path
// (protected) and /livez (not protected).
func NewHandler(o HandlerOptions) (http.Handler, error) {
	path := o.MetricsPath
	if path == "" {
		path = DefaultMetricsPath
	}
	metrics := promhttp.HandlerFor(o.Gatherer, promhttp.HandlerOpts{
		ErrorLog:      errorLogger{o.Log},
		ErrorHandling: promhttp.ContinueOnError,
	})
	if o.Protect != nil {
		protected, err := o.Protect(metrics)
		if err != nil {
			return nil, fmt.Errorf("protect %s: %w", path, err)
		}
		metrics = protected
	}
	mux := http.NewServeMux()
	mux.Handle(path, metrics)
	if o.Livez != nil {
		mux.Handle(LivezPath, o.Livez)
	}
	return mux, nil
}

// KubernetesAuth returns a Protect that authenticates the bearer token of
// each request with a TokenReview and authorizes the request path with a
// SubjectAccessReview against the API server of cfg (internal/authfilter,
// which behaves as controller-runtime's metrics filter).
func KubernetesAuth(cfg *rest.Config, log logr.Logger) (Protect, error) {
	httpClient, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("create http client for authn/authz: %w", err)
	}
	filter, err := authfilter.New(cfg, httpClient)
	if err != nil {
		return nil, fmt.Errorf("create authn/authz filter: %w", err)
	}
	return func(h http.Handler) (http.Handler, error) {
		return filter(log, h)
	}, nil
}

// errorLogger adapts logr to promhttp's error log.
type errorLogger struct{ log logr.Logger }

func (l errorLogger) Println(v ...any) {
	l.log.Error(nil, "metrics exposition", "detail", strings.TrimSpace(fmt.Sprintln(v...)))
}

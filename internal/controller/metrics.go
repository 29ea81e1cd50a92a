package controller

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Metric name parts shared by the daemon's client metrics.
const (
	metricsNamespace = "frrk8s"
	metricsSubsystem = "k8s_client"
)

// Metrics are the frrk8s_k8s_client_* metrics of the daemon.
type Metrics struct {
	// Updates counts the reconciles processed.
	Updates prometheus.Counter
	// UpdateErrors counts the reconciles that failed to convert or apply.
	UpdateErrors prometheus.Counter
	// ConfigLoaded is 1 once a config was converted and applied.
	ConfigLoaded prometheus.Gauge
	// ConfigStale is 1 while FRR runs an older config because the latest failed.
	ConfigStale prometheus.Gauge
}

// NewMetrics creates the daemon metrics and registers them with reg (the
// daemon passes controller-runtime's metrics.Registry; tests a fresh
// registry).
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		Updates: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: metricsNamespace,
			Subsystem: metricsSubsystem,
			Name:      "updates_total",
			Help:      "Number of k8s object updates that have been processed.",
		}),
		UpdateErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: metricsNamespace,
			Subsystem: metricsSubsystem,
			Name:      "update_errors_total",
			Help:      "Number of k8s object updates that failed for some reason.",
		}),
		ConfigLoaded: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: metricsNamespace,
			Subsystem: metricsSubsystem,
			Name:      "config_loaded_bool",
			Help:      "1 if the configuration was successfully loaded at least once.",
		}),
		ConfigStale: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: metricsNamespace,
			Subsystem: metricsSubsystem,
			Name:      "config_stale_bool",
			Help:      "1 if running on a stale configuration, because the latest config failed to load.",
		}),
	}
	for _, c := range []prometheus.Collector{m.Updates, m.UpdateErrors, m.ConfigLoaded, m.ConfigStale} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("registering the client metrics: %w", err)
		}
	}
	return m, nil
}

// configRejected records a reconcile whose config could not be converted or
// applied: FRR keeps running the previous one.
func (m *Metrics) configRejected() {
	m.UpdateErrors.Inc()
	m.ConfigStale.Set(1)
}

// configApplied records a config handed to FRR.
func (m *Metrics) configApplied() {
	m.ConfigLoaded.Set(1)
	m.ConfigStale.Set(0)
}

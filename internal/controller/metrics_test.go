package controller

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

func TestMetricsNamesAndTypes(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := NewMetrics(reg); err != nil {
		t.Fatal(err)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]dto.MetricType{}
	for _, f := range families {
		got[f.GetName()] = f.GetType()
	}
	want := map[string]dto.MetricType{
		"frrk8s_k8s_client_updates_total":       dto.MetricType_COUNTER,
		"frrk8s_k8s_client_update_errors_total": dto.MetricType_COUNTER,
		"frrk8s_k8s_client_config_loaded_bool":  dto.MetricType_GAUGE,
		"frrk8s_k8s_client_config_stale_bool":   dto.MetricType_GAUGE,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("metrics (-want +got):\n%s", diff)
	}
	for _, f := range families {
		if len(f.GetMetric()) != 1 || len(f.GetMetric()[0].GetLabel()) != 0 {
			t.Errorf("%s has labels or several series", f.GetName())
		}
	}
	if _, err := NewMetrics(reg); err == nil {
		t.Error("registering twice succeeded")
	}
}

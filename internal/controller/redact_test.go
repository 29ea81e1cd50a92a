package controller

import (
	"strings"
	"testing"
)

func TestRedactedConfigRetractsRawConfigPasswords(t *testing.T) {
	cfg := routerConfig("a", 64512, nil)
	cfg.Spec.BGP.Routers[0].Neighbors[0].Password = "fieldS3cret"
	cfg.Spec.Raw.Config = "router bgp 64512\n nei 192.0.2.9 passw rawS3cret\n neighbor 192.0.2.8 pa other1\n! fieldS3cret\n"
	got := redactedConfig(cfg).Spec.Raw.Config
	for _, secret := range []string{"rawS3cret", "other1", "fieldS3cret"} {
		if strings.Contains(got, secret) {
			t.Errorf("debug dump of rawConfig keeps %q:\n%s", secret, got)
		}
	}
	if !strings.Contains(got, "router bgp 64512") {
		t.Errorf("rawConfig lost its other lines:\n%s", got)
	}
	if !strings.Contains(cfg.Spec.Raw.Config, "rawS3cret") {
		t.Error("redactedConfig modified its input")
	}
}

package daemon

import (
	"context"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/attack"
	"github.com/frrk8s/frrk8s/internal/frrtest"
)

// TestAttacksWithFRR sends a few cases of the attack table to the daemon
// and the reloader driving real FRR: each is refused, the node keeps its
// last good config (the session stays up) and the injected peer never
// reaches FRR's running config. The Secret case runs here because the
// webhook never reads Secrets. A rawConfig setting a password with an
// abbreviated keyword is redacted in FRRNodeState.
func TestAttacksWithFRR(t *testing.T) {
	frrtest.ForEachVersion(t, func(t *testing.T, v frrtest.Version) {
		testAttacksWithFRR(t, v.Backend)
	})
}

func testAttacksWithFRR(t *testing.T, backend frrtest.Backend) {
	e := newE2E(t, backend, 200)
	e.frrNode.WaitEstablished(t, neighborAddress, waitTimeout)
	e.waitNodeState(t, "success", nil)
	established := e.connectionsEstablished(t)
	suffix := " (FRRConfiguration " + e.namespace + "/e2e)"

	e.step(t, "A Secret password with a newline")
	secret := &corev1.Secret{}
	secret.Namespace, secret.Name = e.namespace, "bgp-pass"
	hostile := password + "\n neighbor " + attack.Injected + " remote-as 64666"
	e.update(t, secret, func() { secret.Data = map[string][]byte{"password": []byte(hostile)} })
	e.waitRefused(t, "invalid password in secret "+e.namespace+"/bgp-pass", suffix)
	e.update(t, secret, func() { secret.Data = map[string][]byte{"password": []byte(password)} })
	e.waitNodeState(t, "success", nil)

	for _, tc := range []struct {
		name, want string
		change     func(r *v1beta1.FRRConfiguration)
	}{
		{"router id with a newline", "invalid router id", func(c *v1beta1.FRRConfiguration) {
			c.Spec.BGP.Routers[0].ID = "10.0.0.1\n neighbor " + attack.Injected + " remote-as 64666"
		}},
		{"vrf with U+2028", "invalid vrf", func(c *v1beta1.FRRConfiguration) {
			c.Spec.BGP.Routers = append(c.Spec.BGP.Routers, v1beta1.Router{ASN: 64512, VRF: "red\u2028 neighbor " + attack.Injected})
		}},
		{"bfdProfile with a carriage return", "invalid bfdProfile", func(c *v1beta1.FRRConfiguration) {
			c.Spec.BGP.Routers[0].Neighbors[0].BFDProfile = "p\r neighbor " + attack.Injected + " remote-as 64666"
		}},
		{"IPv6 router id", "invalid router id", func(c *v1beta1.FRRConfiguration) {
			c.Spec.BGP.Routers[0].ID = "2001:db8::1"
		}},
	} {
		e.step(t, tc.name)
		cfg := &v1beta1.FRRConfiguration{}
		cfg.Namespace, cfg.Name = e.namespace, "e2e"
		var good v1beta1.FRRConfigurationSpec
		e.update(t, cfg, func() { good = *cfg.Spec.DeepCopy(); tc.change(cfg) })
		e.waitRefused(t, tc.want, suffix)
		e.update(t, cfg, func() { cfg.Spec = good })
		e.waitNodeState(t, "success", nil)
	}

	e.step(t, "rawConfig setting the password with abbreviated keywords, one line rejected by FRR")
	timers := &v1beta1.FRRConfiguration{}
	timers.Namespace, timers.Name = e.namespace, "timers"
	e.update(t, timers, func() {
		timers.Spec.Raw.Config += "\nrouter bgp 64512\n neighbor " + neighborAddress + " passw " + password + "\n neighbor " + neighborAddress + " pa " + password + " trailing-garbage\nexit"
	})
	state := e.waitNodeState(t, "success", func(s v1beta1.FRRNodeStateStatus) bool {
		return s.LastReloadResult != "success" && s.LastReloadResult != ""
	})
	if !strings.Contains(state.Status.LastReloadResult, "<retracted>") {
		t.Errorf("lastReloadResult redacts nothing:\n%s", state.Status.LastReloadResult)
	}
	t.Logf("lastReloadResult:\n%s", state.Status.LastReloadResult)
	for what, text := range map[string]string{"lastReloadResult": state.Status.LastReloadResult, "runningConfig": state.Status.RunningConfig} {
		if strings.Contains(text, password) {
			t.Errorf("%s shows the password:\n%s", what, text)
		}
	}
	if got := e.connectionsEstablished(t); got != established {
		t.Errorf("the session went down during the attacks: established %d times, want %d", got, established)
	}
}

// waitRefused waits until the FRRNodeState reports a conversion error that
// names want and ends with suffix, then checks that FRR's running config
// never got the injected peer.
func (e *e2e) waitRefused(t *testing.T, want, suffix string) {
	t.Helper()
	state := &v1beta1.FRRNodeState{}
	frrtest.WaitFor(t, waitTimeout, func() (bool, string) {
		if err := e.client.Get(context.Background(), types.NamespacedName{Name: e.node}, state); err != nil {
			return false, err.Error()
		}
		r := state.Status.LastConversionResult
		return strings.Contains(r, want) && strings.HasSuffix(r, suffix), fmt.Sprintf("lastConversionResult %q", r)
	})
	if r := state.Status.LastConversionResult; strings.Contains(r, password) || strings.Contains(r, "\n") {
		t.Errorf("lastConversionResult shows the value: %q", r)
	}
	if rc := e.runningConfig(t); strings.Contains(rc, attack.Injected) {
		t.Errorf("the injected peer reached FRR:\n%s", rc)
	}
}

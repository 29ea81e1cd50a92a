package convert

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/attack"
	"github.com/frrk8s/frrk8s/internal/frr"
	"github.com/frrk8s/frrk8s/internal/frr/frrcheck"
)

// The attack table through the pure conversion, as the daemon and
// frrk8sctl run it (Secrets read), and as the webhook runs it (Secrets not
// read: the Secret cases are then admitted, and refused by the daemon).

// attackSuffix ends every per-config error of the table.
const attackSuffix = " (FRRConfiguration " + attack.Namespace + "/" + attack.ConfigName + ")"

// convertAttack converts one case, with or without reading its Secret.
func convertAttack(c attack.Case, readSecrets bool) (*frr.Config, error) {
	secrets := SecretsNotRead()
	if readSecrets {
		secrets = SecretsByName(map[string]corev1.Secret{c.Secret.Name: *c.Secret})
	}
	return Convert(Input{Configs: []v1beta1.FRRConfiguration{*c.Config}, Secrets: secrets})
}

func TestAttackTableRefused(t *testing.T) {
	cases := attack.Cases()
	if len(cases) < 40 {
		t.Fatalf("attack table has %d cases, want at least 40", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			_, err := convertAttack(c, true)
			if err == nil {
				t.Fatalf("%s = %q accepted", c.Field.Name, c.Value)
			}
			msg := err.Error()
			if !strings.Contains(msg, c.WantErr) || !strings.HasSuffix(msg, attackSuffix) {
				t.Errorf("error %q does not name %q and end with %q", msg, c.WantErr, attackSuffix)
			}
			if len(msg) > 1024 {
				t.Errorf("error is %d bytes long", len(msg))
			}
			for _, sep := range attack.Separators {
				if sep.Value != " " && strings.Contains(msg, sep.Value) {
					t.Errorf("error shows the value unquoted (%s): %q", sep.Name, msg)
				}
			}
			if strings.HasPrefix(c.Field.Name, "password") && len(c.Value) >= 3 && strings.Contains(msg, c.Value) {
				t.Errorf("error shows the password: %q", msg)
			}
		})
	}
}

// TestAttackTableWebhookSkipsSecrets documents that the webhook, which
// never reads Secrets, admits a Secret with a hostile password: the daemon
// and frrk8sctl refuse it (TestAttackTableRefused).
func TestAttackTableWebhookSkipsSecrets(t *testing.T) {
	for _, c := range attack.Cases() {
		_, err := convertAttack(c, false)
		if c.Field.ThroughSecret {
			if err != nil {
				t.Errorf("%s: the webhook's conversion reads the Secret: %v", c.Name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.WantErr) {
			t.Errorf("%s: webhook conversion error %v, want %q", c.Name, err, c.WantErr)
		}
	}
}

func TestAttackTableValidValuesAccepted(t *testing.T) {
	for _, c := range attack.ValidCases() {
		t.Run(c.Name, func(t *testing.T) {
			cfg, err := convertAttack(c, true)
			if err != nil {
				t.Fatalf("%s = %q refused: %v", c.Field.Name, c.Value, err)
			}
			text, err := frr.Render(cfg, frr.RenderOptions{Hostname: "node"})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(text, c.Value) && c.Field.Name != "bfd profile name" {
				t.Errorf("frr.conf lacks %q:\n%s", c.Value, text)
			}
			if _, err := frrcheck.DryRun(dryRunContext(t), "", text); err != nil && !strings.Contains(err.Error(), "executable file not found") && !strings.Contains(err.Error(), "no such file") {
				t.Errorf("FRR rejects the valid value %q: %v\n%s", c.Value, err, text)
			}
		})
	}
}

// dryRunContext bounds one vtysh dry run.
func dryRunContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

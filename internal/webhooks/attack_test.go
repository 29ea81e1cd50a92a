package webhooks

import (
	"context"
	"strings"
	"testing"

	"github.com/frrk8s/frrk8s/internal/attack"
)

// TestAttackTableThroughAPIServer sends the attack table to a real API
// server calling the webhook: every case is denied, the denial naming the
// field and the FRRConfiguration (the value quoted). The Secret cases are left to the daemon
// and frrk8sctl: the webhook never reads Secrets, so it admits a config
// whose Secret holds a bad password (checked below).
func TestAttackTableThroughAPIServer(t *testing.T) {
	f := serving(t)
	t.Cleanup(func() { f.deleteAllConfigs(t) })
	suffix := " (FRRConfiguration " + attack.Namespace + "/" + attack.ConfigName + ")"
	n := 0
	for _, c := range attack.Cases() {
		if c.InMemoryOnly || c.Field.ThroughSecret {
			continue
		}
		n++
		err := f.apply(t, c.Config.DeepCopy())
		if err == nil {
			t.Errorf("%s: admitted", c.Name)
			f.deleteAllConfigs(t)
			continue
		}
		msg := err.Error()
		// The webhook adds the node the config was checked for on a line of
		// its own.
		if !strings.HasPrefix(msg, deniedPrefix) || !strings.Contains(msg, c.WantErr) || !strings.Contains(msg, suffix+"\nresource is invalid for node ") {
			t.Errorf("%s: error %q, want a webhook denial naming %q", c.Name, msg, c.WantErr)
		}
	}
	if n < 40 {
		t.Errorf("sent %d cases, want at least 40", n)
	}

	// The webhook does not read Secrets: a hostile Secret password is
	// admitted here and refused by the daemon (see internal/daemontest).
	for _, c := range attack.Cases() {
		if !c.Field.ThroughSecret {
			continue
		}
		if err := f.client.Create(context.Background(), c.Secret.DeepCopy()); err != nil {
			t.Fatalf("creating the Secret: %v", err)
		}
		if err := f.apply(t, c.Config.DeepCopy()); err != nil {
			t.Errorf("%s: the webhook read the Secret: %v", c.Name, err)
		}
		if err := f.client.Delete(context.Background(), c.Secret.DeepCopy()); err != nil {
			t.Fatalf("deleting the Secret: %v", err)
		}
		break
	}
}

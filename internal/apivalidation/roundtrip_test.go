package apivalidation

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
)

// metallbShaped is an FRRConfiguration as MetalLB's FRR-K8s backend writes
// it: every optional struct present, even when empty.
const metallbShaped = `{
  "apiVersion": "frrk8s.metallb.io/v1beta1",
  "kind": "FRRConfiguration",
  "metadata": {"name": "metallb-node1", "namespace": "frr-k8s-system"},
  "spec": {
    "bgp": {
      "routers": [{
        "asn": 64512,
        "neighbors": [{
          "asn": 64513,
          "address": "192.0.2.10",
          "port": 179,
          "passwordSecret": {},
          "holdTime": "1m30s",
          "keepaliveTime": "30s",
          "toAdvertise": {"allowed": {"prefixes": ["198.51.100.7/32"]}, "nextHop": {}},
          "toReceive": {"allowed": {}}
        }],
        "prefixes": ["198.51.100.7/32"]
      }]
    },
    "raw": {},
    "nodeSelector": {"matchLabels": {"kubernetes.io/hostname": "node1"}}
  },
  "status": {}
}`

// TestMetalLBShapedRoundTrip decodes a MetalLB-written object into the Go
// types and encodes it back: nothing may appear or disappear.
func TestMetalLBShapedRoundTrip(t *testing.T) {
	var cfg v1beta1.FRRConfiguration
	if err := json.Unmarshal([]byte(metallbShaped), &cfg); err != nil {
		t.Fatalf("decoding: %v", err)
	}
	out, err := json.Marshal(&cfg)
	if err != nil {
		t.Fatalf("encoding: %v", err)
	}
	var want, got map[string]any
	if err := json.Unmarshal([]byte(metallbShaped), &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	// The object metadata gains an explicit null creationTimestamp from
	// metav1.ObjectMeta; that is the API machinery's, not ours.
	delete(got["metadata"].(map[string]any), "creationTimestamp")
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("round trip changed the object (-want +got):\n%s", d)
	}
}

// TestEmptySubStructsAreEmitted pins the encoding MetalLB relies on: empty
// optional structs are encoded as {} rather than dropped.
func TestEmptySubStructsAreEmitted(t *testing.T) {
	n := v1beta1.Neighbor{ASN: 64513, Address: "192.0.2.10"}
	out, err := yaml.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	want := "address: 192.0.2.10\nasn: 64513\npasswordSecret: {}\ntoAdvertise:\n  allowed: {}\n  nextHop: {}\ntoReceive:\n  allowed: {}\n"
	if string(out) != want {
		t.Errorf("encoding changed:\n got: %q\nwant: %q", out, want)
	}
}

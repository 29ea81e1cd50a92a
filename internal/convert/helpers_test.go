package convert

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/frr"
)

// testNamespace is the daemon namespace of the tests.
const testNamespace = "frr-k8s-system"

// testNodeLabels are the labels of the node the tests convert for.
var testNodeLabels = map[string]string{"kubernetes.io/hostname": "node1", "rack": "r1"}

func init() {
	// -update rewrites the golden files; another test file of the package
	// may have registered the flag already.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata")
	}
}

// updateGoldens reports whether -update was given.
func updateGoldens() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// testObjects are the objects decoded from a test's YAML.
type testObjects struct {
	configs []v1beta1.FRRConfiguration
	secrets map[string]corev1.Secret
}

// decodeObjects decodes YAML documents holding FRRConfigurations and
// Secrets; objects without namespace land in testNamespace.
func decodeObjects(t testing.TB, docs ...string) testObjects {
	t.Helper()
	res := testObjects{secrets: map[string]corev1.Secret{}}
	for _, doc := range docs {
		reader := utilyaml.NewYAMLReader(bufio.NewReader(strings.NewReader(doc)))
		for {
			raw, err := reader.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("read yaml: %v", err)
			}
			if len(bytes.TrimSpace(raw)) == 0 {
				continue
			}
			res.add(t, raw)
		}
	}
	return res
}

// add decodes one document by kind.
func (o *testObjects) add(t testing.TB, raw []byte) {
	t.Helper()
	var meta struct {
		Kind string `json:"kind"`
	}
	if err := yaml.Unmarshal(raw, &meta); err != nil {
		t.Fatalf("decode kind: %v", err)
	}
	switch meta.Kind {
	case "Secret":
		var s corev1.Secret
		if err := yaml.UnmarshalStrict(raw, &s); err != nil {
			t.Fatalf("decode secret: %v\n%s", err, raw)
		}
		if s.Namespace == "" {
			s.Namespace = testNamespace
		}
		o.secrets[s.Name] = s
	case "FRRConfiguration", "":
		var c v1beta1.FRRConfiguration
		if err := yaml.UnmarshalStrict(raw, &c); err != nil {
			t.Fatalf("decode config: %v\n%s", err, raw)
		}
		if c.Namespace == "" {
			c.Namespace = testNamespace
		}
		o.configs = append(o.configs, c)
	default:
		t.Fatalf("unexpected kind %q", meta.Kind)
	}
}

// convert converts the objects as the daemon does for testNodeLabels: the
// configs of testNamespace whose nodeSelector matches, then Convert with
// the objects' Secrets, after the optional changes to the input.
func (o testObjects) convert(modify ...func(*Input)) (*frr.Config, error) {
	selected, err := Select(InNamespace(o.configs, testNamespace), testNodeLabels)
	if err != nil {
		return nil, err
	}
	in := o.input(selected)
	for _, m := range modify {
		m(&in)
	}
	return Convert(in)
}

// input is the conversion input of configs with the objects' Secrets.
func (o testObjects) input(configs []v1beta1.FRRConfiguration) Input {
	return Input{Configs: configs, Secrets: SecretsByName(o.secrets), LogLevel: "info"}
}

// convertCase is one table case: YAML in, model or exact error out.
type convertCase struct {
	name   string
	docs   []string
	modify func(*Input) // optional changes to the input
	// unselected converts every config as given, without the daemon's
	// namespace and node selection.
	unselected bool
	want       *frr.Config
	wantErr    string
}

// run converts the case's objects and compares the model or the error text.
func (tc convertCase) run(t *testing.T) {
	t.Helper()
	objects := decodeObjects(t, tc.docs...)
	var modify []func(*Input)
	if tc.modify != nil {
		modify = append(modify, tc.modify)
	}
	var got *frr.Config
	var err error
	if tc.unselected {
		in := objects.input(objects.configs)
		for _, m := range modify {
			m(&in)
		}
		got, err = Convert(in)
	} else {
		got, err = objects.convert(modify...)
	}
	if tc.wantErr != "" {
		if err == nil {
			t.Fatalf("no error, want %q", tc.wantErr)
		}
		if err.Error() != tc.wantErr {
			t.Fatalf("error mismatch\n got: %s\nwant: %s", err, tc.wantErr)
		}
		return
	}
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if diff := cmp.Diff(tc.want, got); diff != "" {
		t.Fatalf("model mismatch (-want +got):\n%s", diff)
	}
}

// Model builders for the expected results.

// model wraps routers in the config the tests expect (level info).
func model(routers ...frr.Router) *frr.Config {
	return &frr.Config{LogLevel: "informational", Routers: routers}
}

// rtr is a router of the default VRF with the given neighbors.
func rtr(asn uint32, neighbors ...frr.Neighbor) frr.Router {
	return frr.Router{ASN: asn, Neighbors: neighbors}
}

// with applies changes to a copy of v.
func with[T any](v T, changes ...func(*T)) T {
	for _, c := range changes {
		c(&v)
	}
	return v
}

// nbr is a neighbor as converted from a plain API neighbor of family f.
func nbr(family, asn, addr string) frr.Neighbor {
	return frr.Neighbor{Family: family, DisplayName: asn + "@" + addr, ASN: asn, Addr: addr}
}

// nbr4 is a plain IPv4 neighbor.
func nbr4(asn, addr string) frr.Neighbor { return nbr(frr.FamilyIPv4, asn, addr) }

// nbr6 is a plain IPv6 neighbor.
func nbr6(asn, addr string) frr.Neighbor { return nbr(frr.FamilyIPv6, asn, addr) }

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// sel is an incoming selector.
func sel(family, prefix string, le, ge uint32) frr.IncomingFilter {
	return frr.IncomingFilter{Family: family, Prefix: prefix, LE: le, GE: ge}
}

// cfgYAML is an FRRConfiguration named name in testNamespace whose spec is
// the given YAML, written flush left.
func cfgYAML(name, spec string) string {
	return "metadata:\n  name: " + name + "\nspec:\n" + indent(spec, "  ")
}

// indent prefixes every non-empty line of s.
func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}

// oneNeighbor is a spec with router 65000 and one neighbor whose extra
// fields are given as YAML lines (flush left).
func oneNeighbor(address, extra string) string {
	return "bgp:\n  routers:\n  - asn: 65000\n    prefixes: [192.168.10.0/24, 192.168.11.0/24, \"2001:db8:10::/64\"]\n" +
		"    neighbors:\n    - asn: 65001\n      address: " + address + "\n" + indent(extra, "      ")
}

// routerPrefixes are the prefixes oneNeighbor gives the router.
func routerPrefixes(r frr.Router) frr.Router {
	r.V4Prefixes = []string{"192.168.10.0/24", "192.168.11.0/24"}
	r.V6Prefixes = []string{"2001:db8:10::/64"}
	return r
}

// withSuffix appends the per-config D6 detail of config name.
func withSuffix(msg, name string) string {
	return msg + " (FRRConfiguration " + testNamespace + "/" + name + ")"
}

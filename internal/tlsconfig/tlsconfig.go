// Package tlsconfig parses the TLS flags shared by the frr-k8s servers
// (--tls-cipher-suites, --tls-curve-preferences, --tls-min-version) into an option for crypto/tls.Config.
package tlsconfig

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Minimum versions accepted by --tls-min-version.
const (
	VersionTLS12 = "VersionTLS12"
	VersionTLS13 = "VersionTLS13"
)

var versions = map[string]uint16{
	VersionTLS12: tls.VersionTLS12,
	VersionTLS13: tls.VersionTLS13,
}

// Flags holds the raw values of the three TLS flags.
type Flags struct {
	// CipherSuites is a comma-separated list of cipher suite names.
	CipherSuites string
	// CurvePreferences is a comma-separated list of numeric tls.CurveID values.
	CurvePreferences string
	// MinVersion is VersionTLS12 or VersionTLS13; empty means VersionTLS13.
	MinVersion string
}

// Register adds the three flags to fs, storing their values in f.
func (f *Flags) Register(fs *flag.FlagSet) {
	fs.StringVar(&f.CipherSuites, "tls-cipher-suites", "",
		"Comma-separated list of cipher suites for the server (Go names, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256). "+
			"Not allowed with a TLS 1.3 minimum, whose suites are not configurable. Empty means Go's defaults.")
	fs.StringVar(&f.CurvePreferences, "tls-curve-preferences", "",
		"Comma-separated list of numeric TLS curve IDs (crypto/tls CurveID, e.g. 29 for X25519, 23 for P-256), "+
			"in order of preference. Empty means Go's defaults.")
	fs.StringVar(&f.MinVersion, "tls-min-version", "",
		"Minimum TLS version: VersionTLS12 or VersionTLS13. Empty means VersionTLS13.")
}

// Option parses the flags and returns a function that applies them to a
// tls.Config, for example as a metrics server TLSOpts entry.
func (f Flags) Option() (func(*tls.Config), error) {
	minVersion, err := parseMinVersion(f.MinVersion)
	if err != nil {
		return nil, err
	}
	suites, err := parseCipherSuites(f.CipherSuites)
	if err != nil {
		return nil, err
	}
	if len(suites) > 0 && minVersion == tls.VersionTLS13 {
		return nil, errors.New("invalid --tls-cipher-suites: cipher suites cannot be configured with a TLS 1.3 minimum version, set --tls-min-version=VersionTLS12")
	}
	curves, err := parseCurvePreferences(f.CurvePreferences)
	if err != nil {
		return nil, err
	}
	return func(c *tls.Config) {
		c.MinVersion = minVersion
		if len(suites) > 0 {
			c.CipherSuites = suites
		}
		if len(curves) > 0 {
			c.CurvePreferences = curves
		}
	}, nil
}

// parseMinVersion maps --tls-min-version to a crypto/tls version.
func parseMinVersion(value string) (uint16, error) {
	if value == "" {
		return tls.VersionTLS13, nil
	}
	v, ok := versions[value]
	if !ok {
		return 0, fmt.Errorf("invalid --tls-min-version %q, must be one of %v", value, slices.Sorted(maps.Keys(versions)))
	}
	return v, nil
}

// parseCipherSuites maps cipher suite names to their IDs. Names of the
// suites Go considers insecure are accepted too, as Kubernetes does.
func parseCipherSuites(value string) ([]uint16, error) {
	names := splitList(value)
	if len(names) == 0 {
		return nil, nil
	}
	known := cipherSuitesByName()
	res := make([]uint16, 0, len(names))
	for _, name := range names {
		id, ok := known[name]
		if !ok {
			return nil, fmt.Errorf("invalid --tls-cipher-suites: unknown cipher suite %q", name)
		}
		res = append(res, id)
	}
	return res, nil
}

// cipherSuitesByName indexes every cipher suite Go implements by name.
func cipherSuitesByName() map[string]uint16 {
	res := map[string]uint16{}
	for _, s := range slices.Concat(tls.CipherSuites(), tls.InsecureCipherSuites()) {
		res[s.Name] = s.ID
	}
	return res
}

// parseCurvePreferences parses numeric CurveIDs: in range, unique and
// implemented by Go.
func parseCurvePreferences(value string) ([]tls.CurveID, error) {
	fields := splitList(value)
	if len(fields) == 0 {
		return nil, nil
	}
	res := make([]tls.CurveID, 0, len(fields))
	for _, field := range fields {
		n, err := strconv.ParseUint(field, 10, 64)
		if err != nil || n == 0 || n > math.MaxUint16 {
			return nil, fmt.Errorf("invalid --tls-curve-preferences value %q: not a curve ID in range 1-65535", field)
		}
		id := tls.CurveID(n)
		if !supportedCurve(id) {
			return nil, fmt.Errorf("invalid --tls-curve-preferences value %q: curve not supported by Go", field)
		}
		if slices.Contains(res, id) {
			return nil, fmt.Errorf("invalid --tls-curve-preferences value %q: duplicate curve", field)
		}
		res = append(res, id)
	}
	return res, nil
}

// supportedCurves are the key exchanges crypto/tls implements.
var supportedCurves = []tls.CurveID{
	tls.CurveP256, tls.CurveP384, tls.CurveP521, tls.X25519,
	tls.X25519MLKEM768, tls.SecP256r1MLKEM768, tls.SecP384r1MLKEM1024,
}

// supportedCurve reports whether Go implements the key exchange.
func supportedCurve(id tls.CurveID) bool {
	return slices.Contains(supportedCurves, id)
}

// splitList splits a comma-separated value, trimming spaces and dropping
// empty entries.
func splitList(value string) []string {
	var res []string
	for part := range strings.SplitSeq(value, ",") {
		if part = strings.TrimSpace(part); part != "" {
			res = append(res, part)
		}
	}
	return res
}

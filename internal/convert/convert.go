package convert

import (
	"cmp"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/frr"
	"github.com/frrk8s/frrk8s/internal/ipfamily"
)

// Input is everything Convert reads. It holds no client: the daemon, the
// webhook and frrk8sctl gather the objects and call Convert, which performs
// no Kubernetes I/O.
type Input struct {
	// Configs are the FRRConfigurations selected for one node (see Select),
	// in any order. They are only read.
	Configs []v1beta1.FRRConfiguration
	// Secrets resolves the neighbors' passwordSecret references.
	Secrets PasswordSecrets
	// AlwaysBlock are the --always-block prefixes, in flag order; host bits
	// are cleared by the conversion.
	AlwaysBlock []netip.Prefix
	// LogLevel is the frr-k8s log level, mapped to FRR's with frr.LogLevelFor.
	LogLevel string
}

// PasswordSecrets says how passwordSecret references are resolved. The zero
// value knows no Secret: every reference is reported as missing.
type PasswordSecrets struct {
	byName map[string]corev1.Secret
	unread bool
}

// SecretsByName resolves passwordSecret references with the given Secrets
// of the daemon namespace, keyed by name. A Secret's stringData counts as
// data.
func SecretsByName(secrets map[string]corev1.Secret) PasswordSecrets {
	return PasswordSecrets{byName: secrets}
}

// SecretsNotRead treats every passwordSecret reference as absent, as if the
// neighbor had none: the webhook does not read Secrets, and a Secret that
// does not exist yet must not deny a config.
func SecretsNotRead() PasswordSecrets {
	return PasswordSecrets{unread: true}
}

// Convert converts each config and merges them into the render model of
// one node. The configs are taken in name, then namespace order, so their
// order in Input never changes the result. The hostname and the fallback
// router-id are left to the renderer. The model may share slices between
// its parts (a router's prefixes and a neighbor's advertised ones): treat
// it as read-only. Errors are *ConversionError values whose text names the
// FRRConfiguration(s) involved.
func Convert(in Input) (*frr.Config, error) {
	c := newConverter(&in)
	for _, cfg := range sortedConfigs(in.Configs) {
		if err := c.addConfig(cfg); err != nil {
			return nil, withDetail(err, originOf(cfg))
		}
	}
	return c.result()
}

// converter accumulates the converted configs of one node.
type converter struct {
	in          *Input
	alwaysBlock []frr.IncomingFilter
	routers     map[string]*router // by VRF
	bfdProfiles map[string]bfdProfile
	raws        []rawPart
	spare       spares
}

// bfdProfile is a BFD profile and the first config that defined it.
type bfdProfile struct {
	frr.BFDProfile
	from origin
}

// rawPart is the raw config of one FRRConfiguration.
type rawPart struct {
	priority  int
	name      string
	namespace string
	text      string
}

// newConverter prepares an empty accumulator.
func newConverter(in *Input) *converter {
	return &converter{
		in:          in,
		alwaysBlock: alwaysBlockFilters(in.AlwaysBlock),
		routers:     map[string]*router{},
		bfdProfiles: map[string]bfdProfile{},
	}
}

// addConfig converts one config and merges it into the accumulator
// (merge.md §2).
func (c *converter) addConfig(cfg *v1beta1.FRRConfiguration) error {
	from := originOf(cfg)
	localProfiles, err := c.addBFDProfiles(cfg, from)
	if err != nil {
		return err
	}
	if cfg.Spec.Raw.Config != "" {
		c.raws = append(c.raws, rawPart{
			priority:  cfg.Spec.Raw.Priority,
			name:      cfg.Name,
			namespace: cfg.Namespace,
			text:      cfg.Spec.Raw.Config,
		})
	}
	prefixesByVRF := routerPrefixesByVRF(cfg.Spec.BGP.Routers)
	for i := range cfg.Spec.BGP.Routers {
		rc := &routerContext{
			converter:     c,
			api:           &cfg.Spec.BGP.Routers[i],
			from:          from,
			bfdProfiles:   localProfiles,
			prefixesByVRF: prefixesByVRF,
		}
		r, err := rc.convert()
		if err != nil {
			return err
		}
		if err := selfMerge(r); err != nil {
			return err
		}
		if err := c.fold(r); err != nil {
			return err
		}
	}
	return nil
}

// fold merges a converted router into the router of its VRF.
func (c *converter) fold(r *router) error {
	acc, found := c.routers[r.vrf]
	if !found {
		c.routers[r.vrf] = r
		return nil
	}
	if err := mergeRouters(acc, r); err != nil {
		return err
	}
	c.spare.keepMerged(acc, r)
	return nil
}

// result completes the merged routers, runs the checks on them and builds
// the render model (merge.md §2 step 3, §10, §12).
func (c *converter) result() (*frr.Config, error) {
	routers := c.sortedRouters()
	for _, r := range routers {
		completeTimers(r)
	}
	if err := validateEVPN(routers); err != nil {
		return nil, &ConversionError{err: err}
	}
	res := &frr.Config{
		LogLevel: frr.LogLevelFor(c.in.LogLevel),
		Extra:    c.extra(),
	}
	for _, r := range routers {
		res.Routers = append(res.Routers, r.toModel(c.alwaysBlock))
	}
	for _, name := range slices.Sorted(maps.Keys(c.bfdProfiles)) {
		res.BFDProfiles = append(res.BFDProfiles, c.bfdProfiles[name].BFDProfile)
	}
	return res, nil
}

// sortedRouters returns the merged routers by VRF, the default VRF first.
func (c *converter) sortedRouters() []*router {
	routers := slices.Collect(maps.Values(c.routers))
	slices.SortFunc(routers, func(a, b *router) int { return strings.Compare(a.vrf, b.vrf) })
	return routers
}

// extra joins the raw configs by priority, then config name, each followed
// by a newline.
func (c *converter) extra() string {
	slices.SortFunc(c.raws, func(a, b rawPart) int {
		return cmp.Or(cmp.Compare(a.priority, b.priority), strings.Compare(a.name, b.name),
			strings.Compare(a.namespace, b.namespace))
	})
	var b strings.Builder
	for _, r := range c.raws {
		b.WriteString(r.text)
		b.WriteString("\n")
	}
	return b.String()
}

// alwaysBlockFilters turns the --always-block prefixes into incoming
// filters: network address, family, le 32 or 128, flag order kept.
func alwaysBlockFilters(prefixes []netip.Prefix) []frr.IncomingFilter {
	if len(prefixes) == 0 {
		return nil
	}
	res := make([]frr.IncomingFilter, 0, len(prefixes))
	for _, p := range prefixes {
		family := ipfamily.ForPrefix(p)
		le := uint32(32)
		if family == ipfamily.IPv6 {
			le = 128
		}
		res = append(res, frr.IncomingFilter{Family: string(family), Prefix: p.Masked().String(), LE: le})
	}
	return res
}

// ParseAlwaysBlock parses the --always-block flag: comma-separated CIDRs,
// spaces around each trimmed. An empty value blocks nothing.
func ParseAlwaysBlock(value string) ([]netip.Prefix, error) {
	if strings.TrimSpace(value) == "" {
		return nil, nil
	}
	var res []netip.Prefix
	for cidr := range strings.SplitSeq(value, ",") {
		p, err := netip.ParsePrefix(strings.TrimSpace(cidr))
		if err != nil {
			return nil, fmt.Errorf("invalid always-block cidr %q: %w", strings.TrimSpace(cidr), err)
		}
		res = append(res, p)
	}
	return res, nil
}

// addBFDProfiles records the profiles of a config and returns their names,
// which the config's neighbors may reference (merge.md §10); nil when the
// config has none.
func (c *converter) addBFDProfiles(cfg *v1beta1.FRRConfiguration, from origin) (map[string]bool, error) {
	if len(cfg.Spec.BGP.BFDProfiles) == 0 {
		return nil, nil
	}
	local := make(map[string]bool, len(cfg.Spec.BGP.BFDProfiles))
	for _, p := range cfg.Spec.BGP.BFDProfiles {
		if local[p.Name] {
			return nil, fmt.Errorf("duplicate bfd profile name %s in config %s", p.Name, cfg.Name)
		}
		local[p.Name] = true
		profile := bfdProfileToModel(p)
		existing, found := c.bfdProfiles[p.Name]
		if !found {
			c.bfdProfiles[p.Name] = bfdProfile{BFDProfile: profile, from: from}
			continue
		}
		if field, a, b, differ := firstBFDDifference(existing.BFDProfile, profile); differ {
			return nil, newConflict(fmt.Sprintf("bfdProfiles[%s].%s", p.Name, field),
				side{a, existing.from}, side{b, from},
				"duplicate bfd profile name %s with different values for config %s", p.Name, cfg.Name)
		}
	}
	return local, nil
}

// bfdProfileToModel copies a profile; unset echo and passive modes are false.
func bfdProfileToModel(p v1beta1.BFDProfile) frr.BFDProfile {
	return frr.BFDProfile{
		Name:             p.Name,
		ReceiveInterval:  copyPtr(p.ReceiveInterval),
		TransmitInterval: copyPtr(p.TransmitInterval),
		DetectMultiplier: copyPtr(p.DetectMultiplier),
		EchoInterval:     copyPtr(p.EchoInterval),
		EchoMode:         p.EchoMode != nil && *p.EchoMode,
		PassiveMode:      p.PassiveMode != nil && *p.PassiveMode,
		MinimumTTL:       copyPtr(p.MinimumTTL),
	}
}

// firstBFDDifference returns the first field (api.md §6 order) on which two
// profiles differ, with both values.
func firstBFDDifference(a, b frr.BFDProfile) (field, valueA, valueB string, differ bool) {
	numbers := []struct {
		field string
		a, b  *uint32
	}{
		{"receiveInterval", a.ReceiveInterval, b.ReceiveInterval},
		{"transmitInterval", a.TransmitInterval, b.TransmitInterval},
		{"detectMultiplier", a.DetectMultiplier, b.DetectMultiplier},
		{"echoInterval", a.EchoInterval, b.EchoInterval},
	}
	for _, n := range numbers {
		if !ptrEqual(n.a, n.b) {
			return n.field, optionalUintValue(n.a), optionalUintValue(n.b), true
		}
	}
	if a.EchoMode != b.EchoMode {
		return "echoMode", boolValue(a.EchoMode), boolValue(b.EchoMode), true
	}
	if a.PassiveMode != b.PassiveMode {
		return "passiveMode", boolValue(a.PassiveMode), boolValue(b.PassiveMode), true
	}
	if !ptrEqual(a.MinimumTTL, b.MinimumTTL) {
		return "minimumTtl", optionalUintValue(a.MinimumTTL), optionalUintValue(b.MinimumTTL), true
	}
	return "", "", "", false
}

// ptrEqual reports whether two optional values are both unset or equal.
func ptrEqual[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// copyPtr returns a pointer to a copy of *p, so the model shares nothing
// with the API objects.
func copyPtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// Package attack is the table of hostile FRRConfigurations and Secrets the
// security tests run through every door: the pure conversion (daemon and
// frrk8sctl), the webhook behind a real API server, and the daemon with
// real FRR. Each case must be refused with an error naming the field, or
// (for rawConfig) have its passwords redacted; no case may ever render the
// injected peer Injected into frr.conf.
package attack

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
)

// Namespace is the daemon namespace of every case.
const Namespace = "frr-k8s-system"

// ConfigName is the name of every case's FRRConfiguration.
const ConfigName = "attack"

// SecretName is the Secret the Secret cases reference.
const SecretName = "bgp-password"

// Injected is the peer address every injection tries to add; it must never
// appear in a rendered frr.conf nor in FRR's running config.
const Injected = "203.0.113.66"

// Separators are the characters that could split one value into two FRR
// lines or tokens: FRR and frr-reload.py split lines on \n, \r, \v, \f,
// \x1c-\x1e, U+0085, U+2028 and U+2029, and tokens on blanks.
var Separators = []struct{ Name, Value string }{
	{"newline", "\n"},
	{"carriage return", "\r"},
	{"NUL", "\x00"},
	{"tab", "\t"},
	{"space", " "},
	{"vertical tab", "\v"},
	{"form feed", "\f"},
	{"NEL U+0085", "\u0085"},
	{"line separator U+2028", "\u2028"},
	{"paragraph separator U+2029", "\u2029"},
	{"no-break space U+00A0", "\u00a0"},
	{"file separator \\x1c", "\x1c"},
}

// Payload is what follows a separator: a new peer and a redistribution.
const Payload = " neighbor " + Injected + " remote-as 64666"

// Field is a string of the API that reaches frr.conf.
type Field struct {
	// Name is how errors name the field (a substring of the error).
	Name string
	// Valid is a value the conversion accepts.
	Valid string
	// Set writes a value into a base config (and Secret for Secret fields).
	Set func(cfg *v1beta1.FRRConfiguration, secret *corev1.Secret, value string)
	// ThroughSecret is set for the password read from a Secret: the webhook
	// never reads Secrets, so only the daemon and frrk8sctl refuse it.
	ThroughSecret bool
	// MaxLen is the longest valid value, 0 when no length rule applies.
	MaxLen int
}

// Fields are the fields checked by the string rules.
var Fields = []Field{
	{Name: "vrf", Valid: "red", MaxLen: 15, Set: func(c *v1beta1.FRRConfiguration, _ *corev1.Secret, v string) {
		c.Spec.BGP.Routers[0].VRF = v
	}},
	{Name: "imported vrf", Valid: "default", MaxLen: 15, Set: func(c *v1beta1.FRRConfiguration, _ *corev1.Secret, v string) {
		c.Spec.BGP.Routers[0].Imports = []v1beta1.Import{{VRF: v}}
		if v != "default" {
			c.Spec.BGP.Routers = append(c.Spec.BGP.Routers, v1beta1.Router{ASN: 64512, VRF: v})
		}
	}},
	{Name: "router id", Valid: "10.0.0.1", Set: func(c *v1beta1.FRRConfiguration, _ *corev1.Secret, v string) {
		c.Spec.BGP.Routers[0].ID = v
	}},
	{Name: "interface", Valid: "eth0", MaxLen: 15, Set: func(c *v1beta1.FRRConfiguration, _ *corev1.Secret, v string) {
		n := &c.Spec.BGP.Routers[0].Neighbors[0]
		n.Address, n.Interface = "", v
	}},
	{Name: "sourceaddress", Valid: "eth0", MaxLen: 15, Set: func(c *v1beta1.FRRConfiguration, _ *corev1.Secret, v string) {
		c.Spec.BGP.Routers[0].Neighbors[0].SourceAddress = v
	}},
	{Name: "password", Valid: "pässwörd", MaxLen: 80, Set: func(c *v1beta1.FRRConfiguration, _ *corev1.Secret, v string) {
		c.Spec.BGP.Routers[0].Neighbors[0].Password = v
	}},
	{Name: "password in secret", Valid: "s3cret", MaxLen: 80, ThroughSecret: true, Set: func(c *v1beta1.FRRConfiguration, s *corev1.Secret, v string) {
		c.Spec.BGP.Routers[0].Neighbors[0].PasswordSecret = v1beta1.SecretReference{Name: SecretName}
		s.Data = map[string][]byte{corev1.BasicAuthPasswordKey: []byte(v)}
	}},
	{Name: "bfdProfile", Valid: "fast.bfd_1-a", MaxLen: 63, Set: func(c *v1beta1.FRRConfiguration, _ *corev1.Secret, v string) {
		c.Spec.BGP.BFDProfiles = []v1beta1.BFDProfile{{Name: v}}
		c.Spec.BGP.Routers[0].Neighbors[0].BFDProfile = v
	}},
	{Name: "bfd profile name", Valid: "fast.bfd_1-a", MaxLen: 63, Set: func(c *v1beta1.FRRConfiguration, _ *corev1.Secret, v string) {
		c.Spec.BGP.BFDProfiles = []v1beta1.BFDProfile{{Name: v}}
	}},
}

// Case is one hostile (or, with Valid, one legitimate) input.
type Case struct {
	Name   string
	Config *v1beta1.FRRConfiguration
	// Secret is the Secret of the daemon namespace the case reads.
	Secret *corev1.Secret
	// Field is the field the case attacks.
	Field Field
	// Value is the hostile value (for Secret cases, never in any error).
	Value string
	// WantErr is a substring of the conversion error, empty when the input
	// must be accepted.
	WantErr string
	// InMemoryOnly is set when JSON or YAML cannot carry the value (invalid
	// UTF-8 outside a Secret's data becomes U+FFFD): only Go callers of the
	// conversion can send it.
	InMemoryOnly bool
}

// Base returns a valid config: one router, one neighbor, and the Secret
// the Secret cases fill.
func Base() (*v1beta1.FRRConfiguration, *corev1.Secret) {
	cfg := &v1beta1.FRRConfiguration{
		TypeMeta:   metav1.TypeMeta{APIVersion: "frrk8s.metallb.io/v1beta1", Kind: "FRRConfiguration"},
		ObjectMeta: metav1.ObjectMeta{Namespace: Namespace, Name: ConfigName},
		Spec: v1beta1.FRRConfigurationSpec{BGP: v1beta1.BGPConfig{Routers: []v1beta1.Router{{
			ASN:       64512,
			Prefixes:  []string{"192.0.2.0/24"},
			Neighbors: []v1beta1.Neighbor{{ASN: 64513, Address: "192.0.2.1"}},
		}}}},
	}
	secret := &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Namespace: Namespace, Name: SecretName},
		Type:       corev1.SecretTypeBasicAuth,
		Data:       map[string][]byte{corev1.BasicAuthPasswordKey: []byte("unused")},
	}
	return cfg, secret
}

// build returns a base config with field set to value.
func build(name string, f Field, value, wantErr string) Case {
	cfg, secret := Base()
	f.Set(cfg, secret, value)
	return Case{Name: name, Config: cfg, Secret: secret, Field: f, Value: value, WantErr: wantErr}
}

// Cases returns every hostile case: each field with each separator
// followed by Payload, each field over its length limit, and the special
// values of some fields.
func Cases() []Case {
	var res []Case
	for _, f := range Fields {
		for _, sep := range Separators {
			res = append(res, build(f.Name+" with "+sep.Name, f, "x"+sep.Value+Payload, errorWord(f)))
		}
		if f.MaxLen > 0 {
			res = append(res, build(f.Name+" one byte too long", f, strings.Repeat("a", f.MaxLen+1), errorWord(f)))
		}
		invalid := build(f.Name+" invalid UTF-8", f, "a\xff", errorWord(f))
		invalid.InMemoryOnly = !f.ThroughSecret
		res = append(res, build(f.Name+" 20000 bytes", f, strings.Repeat("v", 20000), errorWord(f)), invalid)
	}
	special := map[string][]string{
		"vrf":                {".", "..", "a/b"},
		"interface":          {".", "a/b", "eth0:1"},
		"router id":          {"2001:db8::1", "0.0.0.0", "::ffff:10.0.0.1", "10.0.0.1/32", "010.0.0.1"},
		"sourceaddress":      {"fe80::1%eth0", "a/b"},
		"password":           {"\u200a"},
		"password in secret": {"", "\u3000"},
		"bfdProfile":         {"a+b", "é"},
		"bfd profile name":   {"", "a:b"},
	}
	for _, f := range Fields {
		for _, v := range special[f.Name] {
			res = append(res, build(f.Name+" "+quoteName(v), f, v, errorWord(f)))
		}
	}
	return res
}

// ValidCases returns legitimate values at the limits that must keep working.
func ValidCases() []Case {
	var res []Case
	for _, f := range Fields {
		res = append(res, build(f.Name+" valid", f, f.Valid, ""))
		if f.MaxLen > 0 && f.Name != "sourceaddress" {
			v := strings.Repeat("a", f.MaxLen)
			if strings.HasPrefix(f.Name, "password") {
				v = strings.Repeat("ü", f.MaxLen/2) // 80 bytes of non-ASCII
			}
			res = append(res, build(f.Name+" at the length limit", f, v, ""))
		}
	}
	res = append(res, build("sourceaddress IPv6", Fields[4], "2001:db8::1", ""))
	return res
}

// errorWord is the word the error names the field with.
func errorWord(f Field) string {
	switch f.Name {
	case "password in secret":
		return "invalid password in secret " + Namespace + "/" + SecretName
	case "bfd profile name":
		return "invalid bfd profile name"
	}
	return "invalid " + f.Name
}

// quoteName makes a value printable in a test name.
func quoteName(v string) string {
	if v == "" {
		return "empty"
	}
	return strings.Trim(strings.ToValidUTF8(strings.NewReplacer("\u200a", "hair-space", "\u3000", "ideographic-space").Replace(v), "?"), " ")
}

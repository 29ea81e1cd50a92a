package convert

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
)

// String rules. Every string the conversion renders into frr.conf, except
// rawConfig, is checked against what FRR accepts for it, so that no value
// can add a line (a command) of its own: FRR and frr-reload.py split lines
// on \n, \r, \v, \f, \x1c-\x1e, U+0085, U+2028 and U+2029, and FRR splits
// tokens on blanks. The daemon, the webhook and frrk8sctl share these
// checks; the webhook never reads Secrets, so a Secret's password is
// checked by the daemon and frrk8sctl only. The rules are documented in
// docs/security.md.

// Limits of the string rules.
const (
	// maxIfNameLen is the Linux interface-name limit (IFNAMSIZ - 1).
	maxIfNameLen = 15
	// maxBFDProfileLen is where bgpd cuts BFD profile names.
	maxBFDProfileLen = 63
	// maxPasswordLen is the TCP-MD5 key limit.
	maxPasswordLen = 80
	// maxTextLen bounds any other string rendered as text.
	maxTextLen = 255
	// maxQuoted is how much of a refused value an error message shows.
	maxQuoted = 64
)

// Why a string is refused, as error text.
const (
	ifNameRule     = "must be 1 to 15 bytes of UTF-8 without /, :, whitespace or control characters, and not . or .."
	routerIDRule   = "must be an IPv4 address in dotted-quad form other than 0.0.0.0"
	sourceAddrRule = "must be an IP address or an interface name (1 to 15 bytes of UTF-8 without /, :, whitespace or control characters)"
	passwordRule   = "must be 1 to 80 bytes of UTF-8 without control characters or whitespace"
	bfdNameRule    = "must be 1 to 63 bytes of letters, digits, '.', '_' or '-'"
	textRule       = "must be at most 255 bytes of UTF-8 without whitespace or control characters"
)

// errPasswordRule is the password rule as an error, so that no password
// value ever reaches an error text.
var errPasswordRule = errors.New(passwordRule)

// isToken reports whether s is valid UTF-8 without control characters or
// Unicode whitespace (which covers every line separator).
func isToken(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

// validIfName applies the Linux interface-name rules (dev_valid_name; VRFs
// are interfaces), on valid UTF-8 since frr-reload.py decodes it.
func validIfName(s string) bool {
	if len(s) == 0 || len(s) > maxIfNameLen || s == "." || s == ".." || !isToken(s) {
		return false
	}
	return !strings.ContainsAny(s, "/:")
}

// validRouterID accepts an IPv4 dotted quad other than 0.0.0.0.
func validRouterID(s string) bool {
	addr, err := netip.ParseAddr(s)
	return err == nil && addr.Is4() && !addr.IsUnspecified()
}

// validSourceAddress accepts an IP address without zone or an interface name.
func validSourceAddress(s string) bool {
	if addr, err := netip.ParseAddr(s); err == nil && addr.Zone() == "" {
		return true
	}
	return validIfName(s)
}

// validPassword applies the password rule; non-ASCII passwords are valid.
func validPassword(s string) bool {
	return len(s) > 0 && len(s) <= maxPasswordLen && isToken(s)
}

// validBFDProfileName accepts 1 to 63 bytes of [A-Za-z0-9._-].
func validBFDProfileName(s string) bool {
	if len(s) == 0 || len(s) > maxBFDProfileLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// validText accepts any other rendered string: a bounded token.
func validText(s string) bool {
	return len(s) <= maxTextLen && isToken(s)
}

// quoteShort quotes a refused value for an error text, cut to its first
// maxQuoted bytes so that a huge value cannot make a huge message.
func quoteShort(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:maxQuoted]) + "... (" + strconv.Itoa(len(s)) + " bytes)"
}

// safeName is a name for an error text: as is when it is a short token,
// quoted and cut otherwise.
func safeName(s string) string {
	if len(s) <= maxQuoted && isToken(s) {
		return s
	}
	return quoteShort(s)
}

// neighborLabel is the display name of a neighbor, safe for error texts.
func neighborLabel(n *v1beta1.Neighbor) string {
	return safeName(asnString(n)) + "@" + safeName(peer(n))
}

// routerLabel names a router for error texts: "<asn>-<vrf>".
func routerLabel(r *v1beta1.Router) string {
	return strconv.FormatUint(uint64(r.ASN), 10) + "-" + safeName(r.VRF)
}

// checkStrings applies the string rules to the strings of one config that
// reach frr.conf. Secret passwords are checked where they are read.
func checkStrings(cfg *v1beta1.FRRConfiguration) error {
	for i := range cfg.Spec.BGP.Routers {
		if err := checkRouterStrings(&cfg.Spec.BGP.Routers[i]); err != nil {
			return err
		}
	}
	for _, p := range cfg.Spec.BGP.BFDProfiles {
		if !validBFDProfileName(p.Name) {
			return fmt.Errorf("invalid bfd profile name %s: %s", quoteShort(p.Name), bfdNameRule)
		}
	}
	return nil
}

// checkRouterStrings applies the string rules to a router and its neighbors.
func checkRouterStrings(r *v1beta1.Router) error {
	if r.VRF != "" && !validIfName(r.VRF) {
		return fmt.Errorf("invalid vrf %s for router %d: %s", quoteShort(r.VRF), r.ASN, ifNameRule)
	}
	if r.ID != "" && !validRouterID(r.ID) {
		return fmt.Errorf("invalid router id %s for router %s: %s", quoteShort(r.ID), routerLabel(r), routerIDRule)
	}
	for _, imp := range r.Imports {
		if !validIfName(imp.VRF) {
			return fmt.Errorf("invalid imported vrf %s for router %s: %s", quoteShort(imp.VRF), routerLabel(r), ifNameRule)
		}
	}
	if err := checkEVPNStrings(r); err != nil {
		return err
	}
	for i := range r.Neighbors {
		if err := checkNeighborStrings(&r.Neighbors[i]); err != nil {
			return fmt.Errorf("neighbor %s of router %s: %w", neighborLabel(&r.Neighbors[i]), routerLabel(r), err)
		}
	}
	return nil
}

// checkEVPNStrings checks the route distinguishers and targets of a router.
func checkEVPNStrings(r *v1beta1.Router) error {
	e := r.EVPN
	if e == nil {
		return nil
	}
	var texts []string
	for _, v := range e.L2VNIs {
		texts = append(append(append(texts, string(v.RD)), stringList(v.ImportRTs)...), stringList(v.ExportRTs)...)
	}
	if v := e.L3VNI; v != nil {
		texts = append(append(append(texts, string(v.RD)), stringList(v.ImportRTs)...), stringList(v.ExportRTs)...)
	}
	for _, s := range texts {
		if !validText(s) {
			return fmt.Errorf("invalid evpn route distinguisher or target %s for router %s: %s", quoteShort(s), routerLabel(r), textRule)
		}
	}
	return nil
}

// checkNeighborStrings applies the string rules to a neighbor.
func checkNeighborStrings(n *v1beta1.Neighbor) error {
	if n.Interface != "" && !validIfName(n.Interface) {
		return fmt.Errorf("invalid interface %s: %s", quoteShort(n.Interface), ifNameRule)
	}
	if n.Address != "" && !validText(n.Address) {
		return fmt.Errorf("invalid address %s: %s", quoteShort(n.Address), textRule)
	}
	if n.SourceAddress != "" && !validSourceAddress(n.SourceAddress) {
		return fmt.Errorf("invalid sourceaddress %s: %s", quoteShort(n.SourceAddress), sourceAddrRule)
	}
	if n.Password != "" && !validPassword(n.Password) {
		return fmt.Errorf("invalid password: %w", errPasswordRule)
	}
	if n.BFDProfile != "" && !validBFDProfileName(n.BFDProfile) {
		return fmt.Errorf("invalid bfdProfile %s: %s", quoteShort(n.BFDProfile), bfdNameRule)
	}
	return nil
}

// checkSecretPassword applies the password rule to the password of a
// Secret; the error names the Secret and the neighbor, never the value.
func checkSecretPassword(secret *corev1.Secret, password string, n *v1beta1.Neighbor) error {
	if validPassword(password) {
		return nil
	}
	return fmt.Errorf("invalid password in secret %s/%s referenced by neighbor %s: %w",
		secret.Namespace, secret.Name, neighborLabel(n), errPasswordRule)
}

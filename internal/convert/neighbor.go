package convert

import (
	"fmt"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
	"github.com/frrk8s/frrk8s/internal/frr"
	"github.com/frrk8s/frrk8s/internal/ipfamily"
)

// asnString is the neighbor ASN as rendered: decimal, or internal/external.
func asnString(n *v1beta1.Neighbor) string {
	if n.DynamicASN != "" {
		return string(n.DynamicASN)
	}
	return strconv.FormatUint(uint64(n.ASN), 10)
}

// peer is the neighbor address, or its interface for unnumbered peers.
func peer(n *v1beta1.Neighbor) string {
	if n.Address == "" {
		return n.Interface
	}
	return n.Address
}

// displayName is "<asn>@<address or interface>", used in error texts.
func displayName(n *v1beta1.Neighbor) string {
	return asnString(n) + "@" + peer(n)
}

// neighborID names a neighbor's filters: the peer plus "-<vrf>" outside the
// default VRF.
func neighborID(peer, vrf string) string {
	if vrf == "" {
		return peer
	}
	return peer + "-" + vrf
}

// convertNeighbor converts one neighbor (merge.md §3–§7). Errors are
// wrapped by the caller with the neighbor and router names.
func (rc *routerContext) convertNeighbor(n *v1beta1.Neighbor) (*neighbor, error) {
	family, err := neighborFamily(n)
	if err != nil {
		return nil, err
	}
	if n.BFDProfile != "" && !rc.bfdProfiles[n.BFDProfile] {
		return nil, fmt.Errorf("neighbor %s referencing non existing BFDProfile %s", displayName(n), n.BFDProfile)
	}
	if err := checkASN(n); err != nil {
		return nil, err
	}
	res := rc.neighborIdentity(n, family)
	res.Hold, res.Keepalive, err = parseTimers(n.HoldTime, n.KeepaliveTime)
	if err != nil {
		return nil, fmt.Errorf("invalid timers for neighbor %s, err: %w", displayName(n), err)
	}
	if n.ConnectTime != nil {
		res.Connect = wholeSeconds(n.ConnectTime)
	}
	if res.Password, err = rc.password(n); err != nil {
		return nil, err
	}
	if err := rc.convertOutgoing(res, n); err != nil {
		return nil, err
	}
	if err := convertIncoming(res, &n.ToReceive); err != nil {
		return nil, err
	}
	return res, nil
}

// neighborFamily checks the address and interface and returns the family:
// that of the address, dual for interfaces and dualStackAddressFamily.
func neighborFamily(n *v1beta1.Neighbor) (ipfamily.Family, error) {
	if n.Address == "" && n.Interface == "" {
		return ipfamily.Unknown, fmt.Errorf("neighbor with ASN %s has no address and no interface", asnString(n))
	}
	if n.Address != "" && n.Interface != "" {
		return ipfamily.Unknown, fmt.Errorf("neighbor %s has both Address and Interface specified", displayName(n))
	}
	family := ipfamily.DualStack
	if n.Address != "" {
		f, err := addressFamily(n.Address)
		if err != nil {
			return ipfamily.Unknown, err
		}
		family = f
	}
	if n.Interface != "" || n.DualStackAddressFamily {
		family = ipfamily.DualStack
	}
	return family, nil
}

// checkASN requires exactly one of asn and dynamicASN, and a known dynamicASN.
func checkASN(n *v1beta1.Neighbor) error {
	switch {
	case n.ASN == 0 && n.DynamicASN == "":
		return fmt.Errorf("neighbor %s has no ASN or DynamicASN specified", displayName(n))
	case n.ASN != 0 && n.DynamicASN != "":
		return fmt.Errorf("neighbor %s has both ASN and DynamicASN specified", displayName(n))
	case n.DynamicASN != "" && n.DynamicASN != v1beta1.InternalASNMode && n.DynamicASN != v1beta1.ExternalASNMode:
		return fmt.Errorf("neighbor %s has invalid DynamicASN %s specified, must be one of %s,%s",
			displayName(n), n.DynamicASN, v1beta1.InternalASNMode, v1beta1.ExternalASNMode)
	}
	return nil
}

// neighborIdentity fills the identity and the scalar fields that need no
// checks (merge.md §3–§4).
func (rc *routerContext) neighborIdentity(n *v1beta1.Neighbor, family ipfamily.Family) *neighbor {
	asn := asnString(n)
	res := rc.spare.newNeighbor(neighbor{
		Neighbor: frr.Neighbor{
			Family:          string(family),
			DisplayName:     asn + "@" + peer(n), // displayName(n)
			ASN:             asn,
			SrcAddr:         n.SourceAddress,
			Addr:            n.Address,
			Iface:           n.Interface,
			Port:            copyPtr(n.Port),
			BFDProfile:      n.BFDProfile,
			GracefulRestart: n.EnableGracefulRestart,
			EBGPMultiHop:    n.EBGPMultiHop,
			LocalASN:        n.LocalASN,
			VRF:             rc.api.VRF,
			AddressFamilies: addressFamilies(n.AddressFamilies),
		},
		id:   neighborID(peer(n), rc.api.VRF),
		from: rc.from,
	})
	if n.BFDProfile != "" {
		res.bfdFrom = rc.from
	}
	return res
}

// addressFamilies copies addressFamilies as a sorted unique list, nil when absent.
func addressFamilies(families []v1beta1.AddressFamily) []string {
	if len(families) == 0 {
		return nil
	}
	res := make([]string, 0, len(families))
	for _, f := range families {
		res = append(res, string(f))
	}
	return sortedUnique(res)
}

// parseTimers checks holdTime and keepaliveTime (api.md §4) and returns
// them in whole seconds. Durations print as Go durations ("2s"; upstream
// printed the protobuf form "&Duration{Duration:2s,}").
func parseTimers(hold, keepalive *metav1.Duration) (*int64, *int64, error) {
	if (hold == nil) != (keepalive == nil) {
		return nil, nil, fmt.Errorf("one of KeepaliveTime/HoldTime specified, both must be set or none")
	}
	if hold == nil {
		return nil, nil, nil
	}
	if seconds := hold.Duration.Truncate(time.Second); seconds != 0 && seconds < 3*time.Second {
		return nil, nil, fmt.Errorf("invalid hold time %q: must be 0 or >=3s", hold.Duration)
	}
	if keepalive.Duration > hold.Duration {
		return nil, nil, fmt.Errorf("invalid keepaliveTime %q, must be lower than holdTime %q", keepalive.Duration, hold.Duration)
	}
	return wholeSeconds(hold), wholeSeconds(keepalive), nil
}

// wholeSeconds truncates a duration to whole seconds.
func wholeSeconds(d *metav1.Duration) *int64 {
	seconds := int64(d.Duration / time.Second)
	return &seconds
}

// password resolves the neighbor password: the cleartext one, or the
// "password" key of a basic-auth Secret of the daemon namespace.
func (rc *routerContext) password(n *v1beta1.Neighbor) (string, error) {
	secretName := n.PasswordSecret.Name
	if rc.in.Secrets.unread {
		secretName = ""
	}
	if n.Password != "" && secretName != "" {
		return "", fmt.Errorf("neighbor %s specifies both cleartext password and secret ref", displayName(n))
	}
	if secretName == "" {
		return n.Password, nil
	}
	secret, found := rc.in.Secrets.byName[secretName]
	if !found {
		return "", &SecretNotFoundError{Name: secretName, Neighbor: displayName(n)}
	}
	if secret.Type != corev1.SecretTypeBasicAuth {
		return "", fmt.Errorf("secret type mismatch on %q/%q, type %q is expected ", secret.Namespace, secret.Name, corev1.SecretTypeBasicAuth)
	}
	password, found := secretPassword(&secret)
	if !found {
		return "", fmt.Errorf("password field not specified in the secret %q/%q", secret.Namespace, secret.Name)
	}
	return password, nil
}

// secretPassword reads the "password" key; stringData, which the API server
// folds into data on write, wins over data for Secrets built offline.
func secretPassword(secret *corev1.Secret) (string, bool) {
	if p, found := secret.StringData[corev1.BasicAuthPasswordKey]; found {
		return p, true
	}
	p, found := secret.Data[corev1.BasicAuthPasswordKey]
	return string(p), found
}

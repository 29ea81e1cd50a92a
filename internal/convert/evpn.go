package convert

import (
	v1beta1 "github.com/frrk8s/frrk8s/api/v1beta1"
)

// convertEVPN copies a router's EVPN section; the self-merge sorts it.
func convertEVPN(e *v1beta1.EVPNConfig, from origin) *evpn {
	if e == nil {
		return nil
	}
	res := &evpn{from: from, advertiseVNIsFrom: from, advertiseSVI: e.AdvertiseSVI}
	if e.AdvertiseVNIs != nil {
		mode := string(*e.AdvertiseVNIs)
		res.advertiseVNIs = &mode
	}
	for _, v := range e.L2VNIs {
		res.l2vnis = append(res.l2vnis, l2vni{
			vni:           v.VNI,
			vniProperties: newVNIProperties(string(v.RD), importRTs(v.ImportRTs), exportRTs(v.ExportRTs), from),
		})
	}
	if e.L3VNI != nil {
		res.l3vni = &l3vni{
			vni:               e.L3VNI.VNI,
			vniProperties:     newVNIProperties(string(e.L3VNI.RD), importRTs(e.L3VNI.ImportRTs), exportRTs(e.L3VNI.ExportRTs), from),
			advertisePrefixes: stringList(e.L3VNI.AdvertisePrefixes),
		}
	}
	return res
}

// newVNIProperties records the identifiers of a VNI and their origin.
func newVNIProperties(rd string, imports, exports []string, from origin) vniProperties {
	p := vniProperties{from: from, rd: rd, importRTs: imports, exportRTs: exports}
	if rd != "" {
		p.rdFrom = from
	}
	return p
}

// importRTs copies import route targets as strings.
func importRTs(rts []v1beta1.ImportRouteTarget) []string { return stringList(rts) }

// exportRTs copies export route targets as strings.
func exportRTs(rts []v1beta1.ExportRouteTarget) []string { return stringList(rts) }

// stringList copies a list of string-typed values, nil when empty.
func stringList[T ~string](values []T) []string {
	if len(values) == 0 {
		return nil
	}
	res := make([]string, len(values))
	for i, v := range values {
		res[i] = string(v)
	}
	return res
}

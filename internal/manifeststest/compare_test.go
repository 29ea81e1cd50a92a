package manifeststest

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// containerView is the part of a container both renderings must agree on.
//
// Deliberately left out of the comparison (they differ between kustomize
// and Helm by design, or come from Helm values):
//   - probe timings (delays, periods, thresholds): Helm takes them from
//     frrk8s.{liveness,readiness,startup}Probe; the handlers (path, port,
//     scheme, host) are compared;
//   - resources (kustomize sets the controller's; Helm uses *.resources,
//     empty by default) and imagePullPolicy;
//   - the capabilities Helm adds to the controller (NET_RAW), removed by normalizeHelm;
//   - the order of the arguments (flags are parsed by name);
//   - flags that Helm always passes with the binary's default value:
//     frr-status --poll-interval=2m and statuscleaner --webhook-port=19443,
//     removed by normalizeHelm after checking the value.
type containerView struct {
	Name     string
	Image    string
	Command  []string
	Args     []string
	Env      []string
	Mounts   []string
	Ports    []string
	Probes   []string
	Security string
}

// podView is the part of a pod spec both renderings must agree on. Left
// out: labels, service account names (kustomize `frr-k8s-daemon` and
// `frr-k8s-statuscleaner`, Helm `<fullname>-controller` and
// `<fullname>-statuscleaner`), terminationGracePeriodSeconds (kustomize 10,
// Helm 0), affinity and nodeSelector (kustomize's arch affinity, Helm's
// values), tolerations (Helm values).
type podView struct {
	HostNetwork           bool
	ShareProcessNamespace bool
	Volumes               []string
	InitContainers        []containerView
	Containers            []containerView
}

func viewPod(spec *corev1.PodSpec) podView {
	v := podView{
		HostNetwork:           spec.HostNetwork,
		ShareProcessNamespace: spec.ShareProcessNamespace != nil && *spec.ShareProcessNamespace,
	}
	for _, vol := range spec.Volumes {
		v.Volumes = append(v.Volumes, viewVolume(vol))
	}
	for i := range spec.InitContainers {
		v.InitContainers = append(v.InitContainers, viewContainer(&spec.InitContainers[i]))
	}
	for i := range spec.Containers {
		v.Containers = append(v.Containers, viewContainer(&spec.Containers[i]))
	}
	return v
}

func viewVolume(vol corev1.Volume) string {
	switch {
	case vol.EmptyDir != nil:
		return vol.Name + ": emptyDir"
	case vol.ConfigMap != nil:
		return vol.Name + ": configMap " + vol.ConfigMap.Name
	case vol.Secret != nil:
		mode := ""
		if vol.Secret.DefaultMode != nil {
			mode = fmt.Sprintf(" mode %d", *vol.Secret.DefaultMode)
		}
		return vol.Name + ": secret " + vol.Secret.SecretName + mode
	default:
		return vol.Name + ": other"
	}
}

func viewContainer(c *corev1.Container) containerView {
	v := containerView{
		Name:     c.Name,
		Image:    c.Image,
		Command:  c.Command,
		Args:     slices.Sorted(slices.Values(c.Args)),
		Security: viewSecurity(c.SecurityContext),
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom != nil && e.ValueFrom.FieldRef != nil:
			v.Env = append(v.Env, e.Name+" from "+e.ValueFrom.FieldRef.FieldPath)
		default:
			v.Env = append(v.Env, e.Name+"="+e.Value)
		}
	}
	for _, m := range c.VolumeMounts {
		ro := ""
		if m.ReadOnly {
			ro = " (ro)"
		}
		v.Mounts = append(v.Mounts, m.Name+" at "+m.MountPath+ro)
	}
	for _, p := range c.Ports {
		v.Ports = append(v.Ports, fmt.Sprintf("%s %d", p.Name, p.ContainerPort))
	}
	for _, p := range []struct {
		kind  string
		probe *corev1.Probe
	}{{"liveness", c.LivenessProbe}, {"readiness", c.ReadinessProbe}, {"startup", c.StartupProbe}} {
		if p.probe != nil {
			v.Probes = append(v.Probes, p.kind+" "+viewHandler(p.probe.ProbeHandler))
		}
	}
	return v
}

func viewHandler(h corev1.ProbeHandler) string {
	if h.HTTPGet == nil {
		return "not an HTTP GET"
	}
	scheme := h.HTTPGet.Scheme
	if scheme == "" {
		scheme = corev1.URISchemeHTTP
	}
	return fmt.Sprintf("%s %s:%s%s", scheme, h.HTTPGet.Host, h.HTTPGet.Port.String(), h.HTTPGet.Path)
}

func viewSecurity(sc *corev1.SecurityContext) string {
	if sc == nil {
		return ""
	}
	var parts []string
	if sc.AllowPrivilegeEscalation != nil {
		parts = append(parts, fmt.Sprintf("allowPrivilegeEscalation=%t", *sc.AllowPrivilegeEscalation))
	}
	if sc.ReadOnlyRootFilesystem != nil {
		parts = append(parts, fmt.Sprintf("readOnlyRootFilesystem=%t", *sc.ReadOnlyRootFilesystem))
	}
	if sc.RunAsUser != nil {
		parts = append(parts, fmt.Sprintf("runAsUser=%d", *sc.RunAsUser))
	}
	if sc.RunAsGroup != nil {
		parts = append(parts, fmt.Sprintf("runAsGroup=%d", *sc.RunAsGroup))
	}
	if sc.Capabilities != nil {
		if len(sc.Capabilities.Drop) > 0 {
			parts = append(parts, fmt.Sprintf("drop=%v", sc.Capabilities.Drop))
		}
		if len(sc.Capabilities.Add) > 0 {
			parts = append(parts, fmt.Sprintf("add=%v", sc.Capabilities.Add))
		}
	}
	return strings.Join(parts, " ")
}

// helmDefaultFlags are flags Helm passes with the value the binary uses
// anyway; kustomize leaves them out.
var helmDefaultFlags = map[string][]string{
	"frr-status":            {"--poll-interval=2m"},
	"frr-k8s-statuscleaner": {"--webhook-port=19443"},
}

// normalizeHelm removes the documented Helm-only differences from a view
// and reports what it expected to remove but did not find.
func normalizeHelm(v podView) (podView, []string) {
	var missing []string
	for i := range v.Containers {
		c := &v.Containers[i]
		for _, flag := range helmDefaultFlags[c.Name] {
			if !slices.Contains(c.Args, flag) {
				missing = append(missing, c.Name+" "+flag)
			}
			c.Args = slices.DeleteFunc(c.Args, func(a string) bool { return a == flag })
		}
		if c.Name == "controller" {
			const netRaw = " add=[NET_RAW]"
			if !strings.HasSuffix(c.Security, netRaw) {
				missing = append(missing, "controller capability NET_RAW")
			}
			c.Security = strings.TrimSuffix(c.Security, netRaw)
		}
	}
	return v, missing
}

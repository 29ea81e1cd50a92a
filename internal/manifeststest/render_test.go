package manifeststest

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/sets"
)

const frrImage = "quay.io/frrouting/frr:10.4.3"

// Security contexts of the daemon pod, as viewSecurity prints them.
const (
	securityDropAll = "allowPrivilegeEscalation=false readOnlyRootFilesystem=true drop=[ALL]"
	securityFRR     = "allowPrivilegeEscalation=false readOnlyRootFilesystem=true add=[NET_ADMIN NET_RAW SYS_ADMIN NET_BIND_SERVICE]"
)

// copyInit is an init container that copies a helper out of the frr-k8s image.
func copyInit(name, file, volume, dir string) containerView {
	return containerView{
		Name:    name,
		Image:   projectImage,
		Command: []string{"/bin/sh", "-c", "cp -f " + file + " " + dir + "/"},
		Mounts:  []string{volume + " at " + dir},
	}
}

// wantDaemonPod is the expected daemon pod with its metrics
// settings, in the terms of podView.
var wantDaemonPod = podView{
	HostNetwork:           true,
	ShareProcessNamespace: true,
	Volumes: []string{
		"frr-sockets: emptyDir",
		"frr-startup: configMap frr-k8s-frr-startup",
		"frr-conf: emptyDir",
		"reloader: emptyDir",
		"metrics: emptyDir",
		"frr-status: emptyDir",
		"frr-lib: emptyDir",
		"frr-tmp: emptyDir",
	},
	InitContainers: []containerView{
		{
			Name:     "cp-frr-files",
			Image:    frrImage,
			Command:  []string{"/bin/sh", "-c", "cp -rLf /tmp/frr/* /etc/frr/"},
			Mounts:   []string{"frr-startup at /tmp/frr", "frr-conf at /etc/frr"},
			Security: "runAsUser=100 runAsGroup=101",
		},
		copyInit("cp-reloader", "/frr-reloader.sh", "reloader", "/etc/frr_reloader"),
		copyInit("cp-metrics", "/frr-metrics", "metrics", "/etc/frr_metrics"),
		copyInit("cp-frr-status", "/frr-status", "frr-status", "/etc/frr_status"),
	},
	Containers: []containerView{
		{
			Name:    "controller",
			Image:   projectImage,
			Command: []string{"/frr-k8s"},
			Args:    []string{"--log-level=info", "--metrics-bind-address=0.0.0.0:9140", "--namespace=$(NAMESPACE)", "--node-name=$(NODE_NAME)"},
			Env: []string{
				"FRR_CONFIG_FILE=/etc/frr_reloader/frr.conf",
				"FRR_RELOADER_PID_FILE=/etc/frr_reloader/reloader.pid",
				"GOGC=50", // ours: a smaller Go heap goal (docs/performance.md)
				"NODE_NAME from spec.nodeName",
				"NAMESPACE from metadata.namespace",
			},
			Mounts:   []string{"reloader at /etc/frr_reloader"},
			Ports:    []string{"metricshttps 9140"},
			Probes:   []string{"liveness HTTP 127.0.0.1:7572/healthz", "readiness HTTP 127.0.0.1:7572/readyz"},
			Security: securityDropAll,
		},
		{
			Name:     "frr",
			Image:    frrImage,
			Command:  []string{"/bin/sh", "-c", "/sbin/tini -- /usr/lib/frr/docker-start"},
			Env:      []string{"TINI_SUBREAPER=true"},
			Mounts:   []string{"frr-sockets at /var/run/frr", "frr-conf at /etc/frr", "frr-lib at /var/lib/frr", "frr-tmp at /var/tmp/frr"},
			Probes:   []string{"liveness HTTPS 127.0.0.1:9141/livez", "startup HTTPS 127.0.0.1:9141/livez"},
			Security: securityFRR,
		},
		{
			Name:    "frr-metrics",
			Image:   frrImage,
			Command: []string{"/etc/frr_metrics/frr-metrics"},
			Args:    []string{"--metrics-bind-address=0.0.0.0", "--metrics-port=9141"},
			Mounts:  []string{"frr-sockets at /var/run/frr", "frr-conf at /etc/frr", "metrics at /etc/frr_metrics"},
			Ports:   []string{"frrmetricshttps 9141"},
		},
		{
			Name:    "frr-status",
			Image:   frrImage,
			Command: []string{"/etc/frr_status/frr-status"},
			Args:    []string{"--log-level=info", "--namespace=$(NAMESPACE)", "--node-name=$(NODE_NAME)", "--pod-name=$(POD_NAME)"},
			Env:     []string{"NODE_NAME from spec.nodeName", "NAMESPACE from metadata.namespace", "POD_NAME from metadata.name"},
			Mounts:  []string{"frr-sockets at /var/run/frr", "frr-conf at /etc/frr", "frr-status at /etc/frr_status"},
		},
		{
			Name:    "reloader",
			Image:   frrImage,
			Command: []string{"/etc/frr_reloader/frr-reloader.sh"},
			Mounts:  []string{"frr-sockets at /var/run/frr", "frr-conf at /etc/frr", "reloader at /etc/frr_reloader"},
		},
	},
}

// wantStatusCleanerPod is the expected statuscleaner pod.
var wantStatusCleanerPod = podView{
	HostNetwork: true,
	Volumes:     []string{"cert: secret frr-k8s-webhook-server-cert mode 420"},
	Containers: []containerView{{
		Name:     "frr-k8s-statuscleaner",
		Image:    projectImage,
		Command:  []string{"/statuscleaner"},
		Args:     []string{"--log-level=info", "--namespace=$(NAMESPACE)"},
		Env:      []string{"NAMESPACE from metadata.namespace"},
		Mounts:   []string{"cert at /tmp/k8s-webhook-server/serving-certs (ro)"},
		Ports:    []string{"webhook 19443"},
		Probes:   []string{"liveness HTTPS :webhook/healthz", "readiness HTTPS :webhook/healthz"},
		Security: securityDropAll,
	}},
}

func TestKustomizeDaemonSetMatchesSpec(t *testing.T) {
	ds := daemonSet(t, kustomize(t, "default"))
	if diff := cmp.Diff(wantDaemonPod, viewPod(&ds.Spec.Template.Spec)); diff != "" {
		t.Errorf("kustomize daemon pod (-spec +rendered):\n%s", diff)
	}
	checkDaemonPodDetails(t, ds)
}

// checkDaemonPodDetails checks the kustomize-only details of the daemon pod
// that the Helm comparison leaves out.
func checkDaemonPodDetails(t *testing.T, ds *appsv1.DaemonSet) {
	t.Helper()
	spec := &ds.Spec.Template.Spec
	if ds.Name != "frr-k8s-daemon" || ds.Namespace != daemonNamespace {
		t.Errorf("DaemonSet %s/%s, want %s/frr-k8s-daemon", ds.Namespace, ds.Name, daemonNamespace)
	}
	if spec.ServiceAccountName != "frr-k8s-daemon" {
		t.Errorf("service account %q, want frr-k8s-daemon", spec.ServiceAccountName)
	}
	if g := spec.TerminationGracePeriodSeconds; g == nil || *g != 10 {
		t.Errorf("terminationGracePeriodSeconds %v, want 10", g)
	}
	wantLabels := map[string]string{"control-plane": "frr-k8s", "app": "frr-k8s", "app.kubernetes.io/component": "frr-k8s"}
	if diff := cmp.Diff(wantLabels, ds.Spec.Template.Labels); diff != "" {
		t.Errorf("pod labels (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"control-plane": "frr-k8s"}, ds.Spec.Selector.MatchLabels); diff != "" {
		t.Errorf("selector (-want +got):\n%s", diff)
	}
	wantTolerations := []string{"node-role.kubernetes.io/master Exists NoSchedule", "node-role.kubernetes.io/control-plane Exists NoSchedule"}
	if diff := cmp.Diff(wantTolerations, tolerationsOf(spec)); diff != "" {
		t.Errorf("tolerations (-want +got):\n%s", diff)
	}
	wantAffinity := []string{"kubernetes.io/arch In amd64,arm64,ppc64le,s390x", "kubernetes.io/os In linux"}
	if diff := cmp.Diff(wantAffinity, requiredNodeAffinityOf(spec)); diff != "" {
		t.Errorf("node affinity (-want +got):\n%s", diff)
	}
	wantTimings := map[string]probeTiming{
		"controller liveness":  {InitialDelay: 15, Period: 20},
		"controller readiness": {InitialDelay: 5, Period: 10},
		"frr liveness":         {Period: 5, FailureThreshold: 3},
		"frr startup":          {Period: 5, FailureThreshold: 30},
	}
	if diff := cmp.Diff(wantTimings, probeTimingsOf(spec)); diff != "" {
		t.Errorf("probe timings (-want +got):\n%s", diff)
	}
	ctrl := containerNamed(t, spec, "controller")
	gotRes := ctrl.Resources.Limits.Cpu().String() + "/" + ctrl.Resources.Limits.Memory().String() + " " +
		ctrl.Resources.Requests.Cpu().String() + "/" + ctrl.Resources.Requests.Memory().String()
	if gotRes != "500m/128Mi 10m/64Mi" {
		t.Errorf("controller limits/requests %s, want 500m/128Mi 10m/64Mi", gotRes)
	}
}

// tolerationsOf prints a pod's tolerations as "key operator effect".
func tolerationsOf(spec *corev1.PodSpec) []string {
	var out []string
	for _, tol := range spec.Tolerations {
		out = append(out, tol.Key+" "+string(tol.Operator)+" "+string(tol.Effect))
	}
	return out
}

// requiredNodeAffinityOf prints the required node affinity expressions as
// "key operator values".
func requiredNodeAffinityOf(spec *corev1.PodSpec) []string {
	a := spec.Affinity
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return nil
	}
	var out []string
	for _, term := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		for _, e := range term.MatchExpressions {
			out = append(out, e.Key+" "+string(e.Operator)+" "+strings.Join(e.Values, ","))
		}
	}
	return out
}

// probeTiming holds the timing fields of a probe as written (0 = unset).
type probeTiming struct {
	InitialDelay, Period, FailureThreshold int32
}

// probeTimingsOf maps "<container> <kind>" to the probe's timings.
func probeTimingsOf(spec *corev1.PodSpec) map[string]probeTiming {
	out := map[string]probeTiming{}
	for _, c := range spec.Containers {
		for kind, p := range map[string]*corev1.Probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe, "startup": c.StartupProbe} {
			if p != nil {
				out[c.Name+" "+kind] = probeTiming{p.InitialDelaySeconds, p.PeriodSeconds, p.FailureThreshold}
			}
		}
	}
	return out
}

func TestKustomizeStatusCleanerMatchesSpec(t *testing.T) {
	dep := deployment(t, kustomize(t, "default"))
	if diff := cmp.Diff(wantStatusCleanerPod, viewPod(&dep.Spec.Template.Spec)); diff != "" {
		t.Errorf("kustomize statuscleaner pod (-spec +rendered):\n%s", diff)
	}
	if dep.Name != "frr-k8s-statuscleaner" || dep.Spec.Template.Spec.ServiceAccountName != "frr-k8s-statuscleaner" {
		t.Errorf("Deployment %s with service account %s", dep.Name, dep.Spec.Template.Spec.ServiceAccountName)
	}
	wantLabels := map[string]string{"control-plane": "statuscleaner", "app": "frr-k8s-webhook-server", "app.kubernetes.io/component": "statuscleaner"}
	if diff := cmp.Diff(wantLabels, dep.Spec.Template.Labels); diff != "" {
		t.Errorf("pod labels (-want +got):\n%s", diff)
	}
	if g := dep.Spec.Template.Spec.TerminationGracePeriodSeconds; g == nil || *g != 10 {
		t.Errorf("terminationGracePeriodSeconds %v, want 10", g)
	}
}

func TestHelmDaemonSetMatchesKustomize(t *testing.T) {
	kust := viewPod(&daemonSet(t, kustomize(t, "default")).Spec.Template.Spec)
	helmView, missing := normalizeHelm(viewPod(&daemonSet(t, helmTemplate(t)).Spec.Template.Spec))
	if len(missing) > 0 {
		t.Errorf("documented Helm differences not found: %q", missing)
	}
	if diff := cmp.Diff(kust, helmView); diff != "" {
		t.Errorf("daemon pod (-kustomize +helm, documented differences removed):\n%s", diff)
	}
}

func TestHelmStatusCleanerMatchesKustomize(t *testing.T) {
	kust := viewPod(&deployment(t, kustomize(t, "default")).Spec.Template.Spec)
	helmView, missing := normalizeHelm(viewPod(&deployment(t, helmTemplate(t)).Spec.Template.Spec))
	if len(missing) > 0 {
		t.Errorf("documented Helm differences not found: %q", missing)
	}
	if diff := cmp.Diff(kust, helmView); diff != "" {
		t.Errorf("statuscleaner pod (-kustomize +helm, documented differences removed):\n%s", diff)
	}
}

func TestHelmStartupConfigMapMatchesKustomize(t *testing.T) {
	kust := findObject(t, kustomize(t, "default"), "ConfigMap", "frr-k8s-frr-startup")
	helm := findObject(t, helmTemplate(t), "ConfigMap", "frr-k8s-frr-startup")
	if diff := cmp.Diff(kust.Object["data"], helm.Object["data"]); diff != "" {
		t.Errorf("frr-startup data (-kustomize +helm):\n%s", diff)
	}
}

func TestHelmWebhookMatchesKustomize(t *testing.T) {
	const name = "frr-k8s-validating-webhook-configuration"
	kust := findObject(t, kustomize(t, "default"), "ValidatingWebhookConfiguration", name)
	helm := findObject(t, helmTemplate(t), "ValidatingWebhookConfiguration", name)
	if diff := cmp.Diff(kust.Object["webhooks"], helm.Object["webhooks"]); diff != "" {
		t.Errorf("webhooks (-kustomize +helm):\n%s", diff)
	}
}

func TestKustomizeNames(t *testing.T) {
	// The names after the frr-k8s- prefix.
	objs := kustomize(t, "default")
	for _, want := range []struct{ kind, name string }{
		{"Namespace", daemonNamespace},
		{"DaemonSet", "frr-k8s-daemon"},
		{"Deployment", "frr-k8s-statuscleaner"},
		{"ConfigMap", "frr-k8s-frr-startup"},
		{"Service", "frr-k8s-webhook-service"},
		{"Service", "frr-k8s-metrics-service"},
		{"Secret", "frr-k8s-webhook-server-cert"},
		{"ValidatingWebhookConfiguration", "frr-k8s-validating-webhook-configuration"},
		{"ServiceAccount", "frr-k8s-daemon"},
		{"ServiceAccount", "frr-k8s-statuscleaner"},
		{"ClusterRole", "frr-k8s-daemon-role"},
		{"Role", "frr-k8s-daemon-role"},
		{"ClusterRole", "frr-k8s-statuscleaner-role"},
		{"Role", "frr-k8s-statuscleaner-role"},
	} {
		findObject(t, objs, want.kind, want.name)
	}
	ns := findObject(t, objs, "Namespace", daemonNamespace)
	for _, mode := range []string{"enforce", "audit", "warn"} {
		if got := ns.GetLabels()["pod-security.kubernetes.io/"+mode]; got != "privileged" {
			t.Errorf("namespace label pod-security.kubernetes.io/%s = %q, want privileged", mode, got)
		}
	}
	crds := sets.New[string]()
	for _, o := range objectsOfKind(objs, "CustomResourceDefinition") {
		crds.Insert(o.GetName())
	}
	wantCRDs := sets.New("bgpsessionstates.frrk8s.metallb.io", "frrconfigurations.frrk8s.metallb.io",
		"frrk8sconfigurations.frrk8s.metallb.io", "frrnodestates.frrk8s.metallb.io")
	if !crds.Equal(wantCRDs) {
		t.Errorf("CRDs %v, want %v", sets.List(crds), sets.List(wantCRDs))
	}
	for _, o := range objs {
		if ns := o.GetNamespace(); ns != "" && ns != daemonNamespace {
			t.Errorf("%s %s is in namespace %s", o.GetKind(), o.GetName(), ns)
		}
	}
}

func TestKustomizeWebhookService(t *testing.T) {
	objs := kustomize(t, "default")
	svc := findObject(t, objs, "Service", "frr-k8s-webhook-service")
	want := map[string]any{
		"ports":    []any{map[string]any{"port": int64(443), "protocol": "TCP", "targetPort": "webhook"}},
		"selector": map[string]any{"control-plane": "statuscleaner"},
	}
	if diff := cmp.Diff(want, svc.Object["spec"]); diff != "" {
		t.Errorf("webhook service spec (-want +got):\n%s", diff)
	}
	metrics := findObject(t, objs, "Service", "frr-k8s-metrics-service")
	spec, _ := metrics.Object["spec"].(map[string]any)
	if diff := cmp.Diff(map[string]any{"control-plane": "frr-k8s"}, spec["selector"]); diff != "" {
		t.Errorf("metrics service selector (-want +got):\n%s", diff)
	}
	var ports []string
	for _, p := range spec["ports"].([]any) {
		pm := p.(map[string]any)
		ports = append(ports, pm["name"].(string))
	}
	if diff := cmp.Diff([]string{"metricshttps", "frrmetricshttps"}, ports); diff != "" {
		t.Errorf("metrics service ports (-want +got):\n%s", diff)
	}
}

func TestTestenvOverlays(t *testing.T) {
	for _, dir := range []string{"testenv/default", "testenv/prometheus"} {
		t.Run(dir, func(t *testing.T) {
			objs := kustomize(t, dir)
			spec := &daemonSet(t, objs).Spec.Template.Spec
			checkArgs(t, containerNamed(t, spec, "controller").Args,
				"--log-level=debug", "--pod-name=$(POD_NAME)", "--always-block=192.167.9.0/24,fc00:f553:ccd:e799::/64",
				"--metrics-bind-address=0.0.0.0:9140", "--node-name=$(NODE_NAME)", "--namespace=$(NAMESPACE)")
			env := viewContainer(containerNamed(t, spec, "controller")).Env
			if !strings.Contains(strings.Join(env, "\n"), "POD_NAME from metadata.name") {
				t.Errorf("controller env %q lacks POD_NAME", env)
			}
			checkArgs(t, containerNamed(t, spec, "frr-status").Args, "--poll-interval=5s", "--log-level=debug")
			dep := deployment(t, objs)
			checkArgs(t, containerNamed(t, &dep.Spec.Template.Spec, "frr-k8s-statuscleaner").Args, "--log-level=debug")
		})
	}
}

// checkArgs checks that every wanted flag is passed, and that no flag
// is passed twice.
func checkArgs(t *testing.T, args []string, want ...string) {
	t.Helper()
	have := sets.New(args...)
	for _, w := range want {
		if !have.Has(w) {
			t.Errorf("args %q lack %s", args, w)
		}
	}
	names := sets.New[string]()
	for _, a := range args {
		name, _, _ := strings.Cut(a, "=")
		if names.Has(name) {
			t.Errorf("args %q pass %s twice", args, name)
		}
		names.Insert(name)
	}
}

func TestPrometheusOverlay(t *testing.T) {
	objs := kustomize(t, "prometheus")
	sm := findObject(t, objs, "ServiceMonitor", "frr-k8s-metrics-monitor")
	if sm.GetNamespace() != daemonNamespace {
		t.Errorf("ServiceMonitor namespace %q", sm.GetNamespace())
	}
	endpoints, _ := nestedSlice(sm.Object, "spec", "endpoints")
	var got []string
	for _, e := range endpoints {
		em, _ := e.(map[string]any)
		tls, _ := em["tlsConfig"].(map[string]any)
		got = append(got, fmt.Sprintf("%v %v %v insecureSkipVerify=%v", em["port"], em["scheme"], em["bearerTokenFile"], tls["insecureSkipVerify"]))
	}
	const token = "/var/run/secrets/kubernetes.io/serviceaccount/token"
	want := []string{
		"metricshttps https " + token + " insecureSkipVerify=true",
		"frrmetricshttps https " + token + " insecureSkipVerify=true",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ServiceMonitor endpoints (-want +got):\n%s", diff)
	}
	binding := findObject(t, objs, "ClusterRoleBinding", "frr-k8s-prometheus-metrics-reader")
	ref, _ := binding.Object["roleRef"].(map[string]any)
	if ref["name"] != "frr-k8s-metrics-reader" {
		t.Errorf("the Prometheus binding refers to %v, want frr-k8s-metrics-reader", ref["name"])
	}
}

// nestedSlice reads a nested list of a decoded object.
func nestedSlice(obj map[string]any, fields ...string) ([]any, bool) {
	var cur any = obj
	for _, f := range fields {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur = m[f]
	}
	s, ok := cur.([]any)
	return s, ok
}

func TestAllInOneIsUpToDate(t *testing.T) {
	for layer, file := range map[string]string{
		"default":    "frr-k8s.yaml",
		"prometheus": "frr-k8s-prometheus.yaml",
	} {
		rendered, err := kustomizeRaw(t, layer)
		if err != nil {
			t.Fatal(err)
		}
		committed, err := os.ReadFile(repoPath("config", "all-in-one", file))
		if err != nil {
			t.Fatal(err)
		}
		if string(rendered) != string(committed) {
			t.Errorf("config/all-in-one/%s is stale: run hack/generate-all-in-one.sh", file)
		}
	}
}

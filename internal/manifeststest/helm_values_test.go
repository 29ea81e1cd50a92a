package manifeststest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/sets"
)

// renderedPods is a Helm rendering with its two pod specs at hand.
type renderedPods struct {
	objs    []*unstructured.Unstructured
	daemon  *corev1.PodSpec
	cleaner *corev1.PodSpec
}

func renderPods(t *testing.T, args ...string) renderedPods {
	t.Helper()
	objs := helmTemplate(t, args...)
	return renderedPods{
		objs:    objs,
		daemon:  &daemonSet(t, objs).Spec.Template.Spec,
		cleaner: &deployment(t, objs).Spec.Template.Spec,
	}
}

// args returns the arguments of a container of either pod.
func (r renderedPods) args(t *testing.T, container string) []string {
	t.Helper()
	if container == "frr-k8s-statuscleaner" {
		return containerNamed(t, r.cleaner, container).Args
	}
	return containerNamed(t, r.daemon, container).Args
}

// set turns key=value pairs into `helm template` arguments.
func set(pairs ...string) []string {
	var args []string
	for _, p := range pairs {
		args = append(args, "--set", p)
	}
	return args
}

func TestHelmValueEffects(t *testing.T) {
	tlsContainers := []string{"controller", "frr-metrics", "frr-k8s-statuscleaner"}
	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, r renderedPods)
	}{
		{
			name: "logLevel",
			args: set("frrk8s.logLevel=debug"),
			check: func(t *testing.T, r renderedPods) {
				for _, c := range []string{"controller", "frr-status", "frr-k8s-statuscleaner"} {
					checkArgs(t, r.args(t, c), "--log-level=debug")
				}
			},
		},
		{
			name: "alwaysBlock and bgpDebounceTimeout",
			args: set("frrk8s.alwaysBlock=192.167.9.0/24\\,fc00:f553:ccd:e799::/64", "frrk8s.bgpDebounceTimeout=1000000"),
			check: func(t *testing.T, r renderedPods) {
				checkArgs(t, r.args(t, "controller"), "--always-block=192.167.9.0/24,fc00:f553:ccd:e799::/64", "--bgp-debounce-timeout=1000000")
			},
		},
		{
			name: "unset alwaysBlock and bgpDebounceTimeout pass nothing",
			check: func(t *testing.T, r renderedPods) {
				checkNoFlag(t, r.args(t, "controller"), "--always-block", "--bgp-debounce-timeout", "--metrics-cert-dir", "--tls-min-version")
				for _, e := range containerNamed(t, r.daemon, "controller").Env {
					if e.Name == "FRR_K8S_PREFIX_LIST_SEQ" {
						t.Errorf("FRR_K8S_PREFIX_LIST_SEQ=%q set although frrk8s.prefixListSeq is empty", e.Value)
					}
				}
			},
		},
		{
			name: "metrics ports",
			args: set("prometheus.secureMetricsPort=9200", "frrk8s.frr.secureMetricsPort=9201"),
			check: func(t *testing.T, r renderedPods) {
				checkArgs(t, r.args(t, "controller"), "--metrics-bind-address=0.0.0.0:9200")
				checkArgs(t, r.args(t, "frr-metrics"), "--metrics-port=9201", "--metrics-bind-address=0.0.0.0")
				frr := viewContainer(containerNamed(t, r.daemon, "frr"))
				want := []string{"liveness HTTPS 127.0.0.1:9201/livez", "startup HTTPS 127.0.0.1:9201/livez"}
				if diff := cmp.Diff(want, frr.Probes); diff != "" {
					t.Errorf("frr probes (-want +got):\n%s", diff)
				}
				if got := viewContainer(containerNamed(t, r.daemon, "frr-metrics")).Ports; !slices.Equal(got, []string{"frrmetricshttps 9201"}) {
					t.Errorf("frr-metrics ports %q", got)
				}
			},
		},
		{
			name: "metricsTLSSecret",
			args: set("tls.metricsTLSSecret=metrics-cert"),
			check: func(t *testing.T, r renderedPods) {
				checkArgs(t, r.args(t, "controller"), "--metrics-cert-dir=/etc/metrics")
				checkArgs(t, r.args(t, "frr-metrics"), "--tls-cert-file=/etc/metrics/tls.crt", "--tls-private-key-file=/etc/metrics/tls.key")
				for _, c := range []string{"controller", "frr-metrics"} {
					mounts := viewContainer(containerNamed(t, r.daemon, c)).Mounts
					if !slices.Contains(mounts, "metrics-certs at /etc/metrics (ro)") {
						t.Errorf("%s mounts %q, want metrics-certs at /etc/metrics", c, mounts)
					}
				}
				if vols := viewPod(r.daemon).Volumes; !slices.Contains(vols, "metrics-certs: secret metrics-cert") {
					t.Errorf("volumes %q lack the metrics-cert secret", vols)
				}
			},
		},
		{
			name: "TLS settings",
			args: set("tls.cipherSuites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\\,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
				"tls.curvePreferences=29\\,23", "tls.minVersion=VersionTLS12"),
			check: func(t *testing.T, r renderedPods) {
				for _, c := range tlsContainers {
					checkArgs(t, r.args(t, c),
						"--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
						"--tls-curve-preferences=29,23", "--tls-min-version=VersionTLS12")
				}
			},
		},
		{
			name: "acceptIncomingBGPConnections",
			args: set("frrk8s.frr.acceptIncomingBGPConnections=true"),
			check: func(t *testing.T, r renderedPods) {
				cm := findObject(t, r.objs, "ConfigMap", "frr-k8s-frr-startup")
				daemons, _ := cm.Object["data"].(map[string]any)["daemons"].(string)
				if !strings.Contains(daemons, "\nbgpd_options=\"   -A 127.0.0.1 --limit-fds 100000\"\n") {
					t.Errorf("bgpd_options still keep bgpd from listening:\n%s", daemons)
				}
			},
		},
		{
			name: "bgpd does not listen by default",
			check: func(t *testing.T, r renderedPods) {
				cm := findObject(t, r.objs, "ConfigMap", "frr-k8s-frr-startup")
				daemons, _ := cm.Object["data"].(map[string]any)["daemons"].(string)
				if !strings.Contains(daemons, "\nbgpd_options=\"   -A 127.0.0.1 -p 0 --limit-fds 100000\"\n") {
					t.Errorf("bgpd_options lack -p 0:\n%s", daemons)
				}
			},
		},
		{
			name: "pollInterval",
			args: set("frrk8s.frrStatus.pollInterval=30s"),
			check: func(t *testing.T, r renderedPods) {
				checkArgs(t, r.args(t, "frr-status"), "--poll-interval=30s")
			},
		},
		{
			name: "statuscleaner settings",
			args: set("frrk8s.webhookPort=9443", "frrk8s.disableCertRotation=true", "frrk8s.restartOnRotatorSecretRefresh=true"),
			check: func(t *testing.T, r renderedPods) {
				checkArgs(t, r.args(t, "frr-k8s-statuscleaner"), "--webhook-port=9443", "--disable-cert-rotation=true", "--restart-on-rotator-secret-refresh=true")
				if got := viewContainer(containerNamed(t, r.cleaner, "frr-k8s-statuscleaner")).Ports; !slices.Equal(got, []string{"webhook 9443"}) {
					t.Errorf("statuscleaner ports %q", got)
				}
			},
		},
		{
			name: "probes disabled",
			args: set("frrk8s.livenessProbe.enabled=false", "frrk8s.readinessProbe.enabled=false", "frrk8s.startupProbe.enabled=false"),
			check: func(t *testing.T, r renderedPods) {
				for _, spec := range []*corev1.PodSpec{r.daemon, r.cleaner} {
					for _, c := range spec.Containers {
						if probes := viewContainer(&c).Probes; len(probes) > 0 {
							t.Errorf("%s still has probes %q", c.Name, probes)
						}
					}
				}
			},
		},
		{
			name: "probe timings",
			args: set("frrk8s.livenessProbe.periodSeconds=7", "frrk8s.readinessProbe.initialDelaySeconds=3", "frrk8s.startupProbe.failureThreshold=60"),
			check: func(t *testing.T, r renderedPods) {
				ctrl := containerNamed(t, r.daemon, "controller")
				frr := containerNamed(t, r.daemon, "frr")
				if ctrl.LivenessProbe.PeriodSeconds != 7 || frr.LivenessProbe.PeriodSeconds != 7 {
					t.Errorf("liveness periods %d and %d, want 7", ctrl.LivenessProbe.PeriodSeconds, frr.LivenessProbe.PeriodSeconds)
				}
				if ctrl.ReadinessProbe.InitialDelaySeconds != 3 {
					t.Errorf("readiness delay %d, want 3", ctrl.ReadinessProbe.InitialDelaySeconds)
				}
				if frr.StartupProbe.FailureThreshold != 60 {
					t.Errorf("startup failure threshold %d, want 60", frr.StartupProbe.FailureThreshold)
				}
			},
		},
		{
			name: "scheduling",
			args: set("frrk8s.tolerateMaster=false", "frrk8s.tolerations[0].key=dedicated", "frrk8s.tolerations[0].operator=Exists",
				"frrk8s.nodeSelector.role=bgp", "frrk8s.priorityClassName=system-node-critical", "frrk8s.runtimeClassName=kata",
				"imagePullSecrets[0].name=pull-secret", "frrk8s.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key=zone",
				"frrk8s.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator=Exists"),
			check: func(t *testing.T, r renderedPods) {
				for name, spec := range map[string]*corev1.PodSpec{"daemon": r.daemon, "statuscleaner": r.cleaner} {
					if len(spec.Tolerations) != 1 || spec.Tolerations[0].Key != "dedicated" {
						t.Errorf("%s tolerations %v", name, spec.Tolerations)
					}
					if diff := cmp.Diff(map[string]string{"kubernetes.io/os": "linux", "role": "bgp"}, spec.NodeSelector); diff != "" {
						t.Errorf("%s nodeSelector (-want +got):\n%s", name, diff)
					}
					if spec.PriorityClassName != "system-node-critical" || spec.RuntimeClassName == nil || *spec.RuntimeClassName != "kata" {
						t.Errorf("%s priority class %q, runtime class %v", name, spec.PriorityClassName, spec.RuntimeClassName)
					}
					if len(spec.ImagePullSecrets) != 1 || spec.ImagePullSecrets[0].Name != "pull-secret" {
						t.Errorf("%s imagePullSecrets %v", name, spec.ImagePullSecrets)
					}
					if spec.Affinity == nil || spec.Affinity.NodeAffinity == nil {
						t.Errorf("%s has no node affinity", name)
					}
				}
			},
		},
		{
			name: "images",
			args: set("frrk8s.image.repository=registry.example/frr-k8s", "frrk8s.image.tag=v1.2.3", "frrk8s.image.pullPolicy=Always",
				"frrk8s.frr.image.repository=registry.example/frr", "frrk8s.frr.image.tag=10.5.0"),
			check: func(t *testing.T, r renderedPods) {
				for _, spec := range []*corev1.PodSpec{r.daemon, r.cleaner} {
					for _, c := range slices.Concat(spec.InitContainers, spec.Containers) {
						if c.Image != "registry.example/frr-k8s:v1.2.3" && c.Image != "registry.example/frr:10.5.0" {
							t.Errorf("%s runs image %s", c.Name, c.Image)
						}
						if strings.HasPrefix(c.Image, "registry.example/frr-k8s:") && c.ImagePullPolicy != corev1.PullAlways {
							t.Errorf("%s pull policy %q, want Always", c.Name, c.ImagePullPolicy)
						}
					}
				}
			},
		},
		{
			name: "resources",
			args: set("frrk8s.resources.limits.memory=1Gi", "frrk8s.frr.resources.limits.memory=2Gi", "frrk8s.reloader.resources.limits.memory=3Gi",
				"frrk8s.frrMetrics.resources.limits.memory=4Gi", "frrk8s.frrStatus.resources.limits.memory=5Gi"),
			check: func(t *testing.T, r renderedPods) {
				for c, want := range map[string]string{"controller": "1Gi", "frr": "2Gi", "reloader": "3Gi", "frr-metrics": "4Gi", "frr-status": "5Gi"} {
					if got := containerNamed(t, r.daemon, c).Resources.Limits.Memory().String(); got != want {
						t.Errorf("%s memory limit %s, want %s", c, got, want)
					}
				}
			},
		},
		{
			name: "service accounts",
			args: set("frrk8s.serviceAccount.name=frr-sa", "frrk8s.serviceAccount.annotations.team=net",
				"frrk8s.statuscleaner.serviceAccount.name=cleaner-sa", "frrk8s.statuscleaner.serviceAccount.annotations.team=webhook"),
			check: func(t *testing.T, r renderedPods) {
				for name, team := range map[string]string{"frr-sa": "net", "cleaner-sa": "webhook"} {
					if sa := findObject(t, r.objs, "ServiceAccount", name); sa.GetAnnotations()["team"] != team {
						t.Errorf("service account %s annotations %v", name, sa.GetAnnotations())
					}
				}
				if r.daemon.ServiceAccountName != "frr-sa" || r.cleaner.ServiceAccountName != "cleaner-sa" {
					t.Errorf("pods use %s and %s", r.daemon.ServiceAccountName, r.cleaner.ServiceAccountName)
				}
				comparePermissions(t, "frr-sa", wantDaemonPermissions(), permissionsOf(t, r.objs, "frr-sa"))
				comparePermissions(t, "cleaner-sa", wantStatusCleanerPermissions(), permissionsOf(t, r.objs, "cleaner-sa"))
			},
		},
		{
			name: "existing service accounts",
			args: set("frrk8s.serviceAccount.create=false", "frrk8s.serviceAccount.name=daemon-sa", "frrk8s.statuscleaner.serviceAccount.name=cleaner-sa"),
			check: func(t *testing.T, r renderedPods) {
				if n := len(objectsOfKind(r.objs, "ServiceAccount")); n > 0 {
					t.Errorf("%d ServiceAccount objects rendered", n)
				}
				if r.daemon.ServiceAccountName != "daemon-sa" || r.cleaner.ServiceAccountName != "cleaner-sa" {
					t.Errorf("pods use %s and %s", r.daemon.ServiceAccountName, r.cleaner.ServiceAccountName)
				}
				comparePermissions(t, "daemon-sa", wantDaemonPermissions(), permissionsOf(t, r.objs, "daemon-sa"))
				comparePermissions(t, "cleaner-sa", wantStatusCleanerPermissions(), permissionsOf(t, r.objs, "cleaner-sa"))
			},
		},
		{
			name: "one existing service account for both",
			args: set("frrk8s.serviceAccount.create=false", "frrk8s.serviceAccount.name=shared"),
			check: func(t *testing.T, r renderedPods) {
				if r.daemon.ServiceAccountName != "shared" || r.cleaner.ServiceAccountName != "shared" {
					t.Errorf("pods use %s and %s", r.daemon.ServiceAccountName, r.cleaner.ServiceAccountName)
				}
				want := wantDaemonPermissions().Union(wantStatusCleanerPermissions())
				comparePermissions(t, "shared", want, permissionsOf(t, r.objs, "shared"))
			},
		},
		{
			name: "no service account, no RBAC, no CRDs",
			args: set("frrk8s.serviceAccount.create=false", "frrk8s.serviceAccount.name=existing", "rbac.create=false", "crds.enabled=false"),
			check: func(t *testing.T, r renderedPods) {
				for _, kind := range []string{"ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "CustomResourceDefinition"} {
					if n := len(objectsOfKind(r.objs, kind)); n > 0 {
						t.Errorf("%d %s objects rendered", n, kind)
					}
				}
				if r.daemon.ServiceAccountName != "existing" || r.cleaner.ServiceAccountName != "existing" {
					t.Errorf("pods use %s and %s", r.daemon.ServiceAccountName, r.cleaner.ServiceAccountName)
				}
			},
		},
		{
			name: "prefixListSeq",
			args: set("frrk8s.prefixListSeq=position"),
			check: func(t *testing.T, r renderedPods) {
				env := containerNamed(t, r.daemon, "controller").Env
				i := slices.IndexFunc(env, func(e corev1.EnvVar) bool { return e.Name == "FRR_K8S_PREFIX_LIST_SEQ" })
				if i < 0 || env[i].Value != "position" {
					t.Errorf("controller env %v, want FRR_K8S_PREFIX_LIST_SEQ=position", env)
				}
			},
		},
		{
			name: "validationFailurePolicy",
			args: set("crds.validationFailurePolicy=Ignore"),
			check: func(t *testing.T, r renderedPods) {
				wh := findObject(t, r.objs, "ValidatingWebhookConfiguration", "frr-k8s-validating-webhook-configuration")
				hooks, _ := nestedSlice(wh.Object, "webhooks")
				if len(hooks) != 1 || hooks[0].(map[string]any)["failurePolicy"] != "Ignore" {
					t.Errorf("webhooks %v", hooks)
				}
			},
		},
		{
			name: "labels and update strategy",
			args: set("frrk8s.labels.team=net", "frrk8s.updateStrategy.type=OnDelete"),
			check: func(t *testing.T, r renderedPods) {
				ds := daemonSet(t, r.objs)
				if ds.Spec.Template.Labels["team"] != "net" || ds.Spec.Template.Labels["app"] != "frr-k8s" {
					t.Errorf("pod labels %v", ds.Spec.Template.Labels)
				}
				if ds.Spec.UpdateStrategy.Type != "OnDelete" {
					t.Errorf("update strategy %v", ds.Spec.UpdateStrategy)
				}
			},
		},
		{
			name: "service monitor with Prometheus RBAC",
			args: set("prometheus.serviceMonitor.enabled=true", "prometheus.serviceMonitor.interval=15s", "prometheus.rbacPrometheus=true",
				"prometheus.serviceAccount=prometheus-k8s", "prometheus.namespace=monitoring", "prometheus.serviceMonitor.additionalLabels.release=prom"),
			check: func(t *testing.T, r renderedPods) {
				sm := findObject(t, r.objs, "ServiceMonitor", "frr-k8s-monitor")
				if sm.GetLabels()["release"] != "prom" {
					t.Errorf("ServiceMonitor labels %v", sm.GetLabels())
				}
				endpoints, _ := nestedSlice(sm.Object, "spec", "endpoints")
				var got []string
				for _, e := range endpoints {
					em, _ := e.(map[string]any)
					tls, _ := em["tlsConfig"].(map[string]any)
					got = append(got, fmt.Sprintf("%v %v %v %v insecureSkipVerify=%v", em["port"], em["scheme"], em["interval"], em["bearerTokenFile"], tls["insecureSkipVerify"]))
				}
				const token = "/var/run/secrets/kubernetes.io/serviceaccount/token"
				want := []string{
					"metricshttps https 15s " + token + " insecureSkipVerify=true",
					"frrmetricshttps https 15s " + token + " insecureSkipVerify=true",
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("ServiceMonitor endpoints (-want +got):\n%s", diff)
				}
				findObject(t, r.objs, "Service", "frr-k8s-monitor-service")
				binding := findObject(t, r.objs, "ClusterRoleBinding", "frr-k8s-metrics-reader")
				subjects, _ := nestedSlice(binding.Object, "subjects")
				if len(subjects) != 1 || subjects[0].(map[string]any)["namespace"] != "monitoring" {
					t.Errorf("metrics-reader subjects %v", subjects)
				}
				findObject(t, r.objs, "RoleBinding", "frr-k8s-prometheus")
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.check(t, renderPods(t, tc.args...))
		})
	}
}

// checkNoFlag fails when any of the flags is passed.
func checkNoFlag(t *testing.T, args []string, flags ...string) {
	t.Helper()
	for _, a := range args {
		name, _, _ := strings.Cut(a, "=")
		if slices.Contains(flags, name) {
			t.Errorf("unexpected flag %s", a)
		}
	}
}

func TestHelmRejectsInvalidValues(t *testing.T) {
	for name, args := range map[string][]string{
		"log level":                  set("frrk8s.logLevel=verbose"),
		"failure policy":             set("crds.validationFailurePolicy=Maybe"),
		"TLS version":                set("tls.minVersion=VersionTLS10"),
		"port":                       set("frrk8s.webhookPort=70000"),
		"poll interval":              set("frrk8s.frrStatus.pollInterval=often"),
		"debounce":                   set("frrk8s.bgpDebounceTimeout=0"),
		"prometheus RBAC without SA": set("prometheus.serviceMonitor.enabled=true", "prometheus.rbacPrometheus=true"),
		"prefix-list numbering":      set("frrk8s.prefixListSeq=sorted"),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := helmTemplateRaw(t, args...); err == nil {
				t.Errorf("helm template %q succeeded, want an error", args)
			}
		})
	}
}

func TestHelmLint(t *testing.T) {
	helm := helmBinary(t)
	for name, args := range map[string][]string{
		"defaults":      nil,
		"every option":  everyOptionArgs,
		"no CRDs, RBAC": set("crds.enabled=false", "rbac.create=false"),
	} {
		t.Run(name, func(t *testing.T) {
			out, err := runTool(helm, append([]string{"lint", "--strict", chartPath()}, args...)...)
			if err != nil {
				t.Errorf("%v\n%s", err, out)
			}
		})
	}
}

func TestHelmNamesAndNamespaces(t *testing.T) {
	objs := helmTemplate(t)
	for _, want := range []struct{ kind, name string }{
		{"DaemonSet", "frr-k8s"},
		{"Deployment", "frr-k8s-statuscleaner"},
		{"ConfigMap", "frr-k8s-frr-startup"},
		{"ServiceAccount", "frr-k8s-controller"},
		{"Secret", "frr-k8s-webhook-server-cert"},
		{"Service", "frr-k8s-webhook-service"},
		{"ValidatingWebhookConfiguration", "frr-k8s-validating-webhook-configuration"},
		{"ClusterRole", "frr-k8s-controller"},
		{"Role", "frr-k8s-controller"},
		{"ServiceAccount", "frr-k8s-statuscleaner"},
		{"ClusterRole", "frr-k8s-statuscleaner"},
		{"Role", "frr-k8s-statuscleaner"},
	} {
		findObject(t, objs, want.kind, want.name)
	}
	clusterScoped := sets.New("ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "ValidatingWebhookConfiguration")
	for _, o := range objs {
		if clusterScoped.Has(o.GetKind()) {
			continue
		}
		if o.GetNamespace() != daemonNamespace {
			t.Errorf("%s %s has namespace %q, want the release namespace", o.GetKind(), o.GetName(), o.GetNamespace())
		}
	}
	svc := findObject(t, objs, "Service", "frr-k8s-webhook-service")
	selector, _ := svc.Object["spec"].(map[string]any)["selector"].(map[string]any)
	if selector["app.kubernetes.io/component"] != "statuscleaner" {
		t.Errorf("webhook service selector %v", selector)
	}
	if labels := deployment(t, objs).Spec.Template.Labels; labels["app.kubernetes.io/component"] != "statuscleaner" {
		t.Errorf("statuscleaner pod labels %v", labels)
	}
	if g := daemonSet(t, objs).Spec.Template.Spec.TerminationGracePeriodSeconds; g == nil || *g != 0 {
		t.Errorf("Helm daemon terminationGracePeriodSeconds %v, want 0", g)
	}
}

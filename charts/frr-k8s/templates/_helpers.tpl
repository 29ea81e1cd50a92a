{{/*
The chart name, or nameOverride, cut to 63 characters (a DNS label).
*/}}
{{- define "frrk8s.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The full name used as resource name prefix: fullnameOverride, else the
release name when it already contains the chart name, else
<release>-<chart>, cut to 63 characters.
*/}}
{{- define "frrk8s.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, as in the helm.sh/chart label.
*/}}
{{- define "frrk8s.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every object.
*/}}
{{- define "frrk8s.labels" -}}
helm.sh/chart: {{ include "frrk8s.chart" . }}
{{ include "frrk8s.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Labels that select the pods of this release.
*/}}
{{- define "frrk8s.selectorLabels" -}}
app.kubernetes.io/name: {{ include "frrk8s.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The service account of the daemon: frrk8s.serviceAccount.name, else
<fullname>-controller when the chart creates it, else "default".
*/}}
{{- define "frrk8s.serviceAccountName" -}}
{{- if .Values.frrk8s.serviceAccount.create }}
{{- default (printf "%s-controller" (include "frrk8s.fullname" .)) .Values.frrk8s.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.frrk8s.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The service account of the statuscleaner (webhook):
frrk8s.statuscleaner.serviceAccount.name, else
<fullname>-statuscleaner when the chart creates the accounts, else the
daemon's account (an existing single account keeps working).
*/}}
{{- define "frrk8s.statuscleanerServiceAccountName" -}}
{{- if .Values.frrk8s.statuscleaner.serviceAccount.name }}
{{- .Values.frrk8s.statuscleaner.serviceAccount.name }}
{{- else if .Values.frrk8s.serviceAccount.create }}
{{- printf "%s-statuscleaner" (include "frrk8s.fullname" .) }}
{{- else }}
{{- include "frrk8s.serviceAccountName" . }}
{{- end }}
{{- end }}

{{/*
The frr-k8s image (controller, statuscleaner, helpers).
*/}}
{{- define "frrk8s.image" -}}
{{ .Values.frrk8s.image.repository }}:{{ .Values.frrk8s.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/*
The FRR image.
*/}}
{{- define "frrk8s.frrImage" -}}
{{ .Values.frrk8s.frr.image.repository }}:{{ .Values.frrk8s.frr.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/*
The TLS flags shared by the controller, frr-metrics and the statuscleaner,
one list item per set value.
*/}}
{{- define "frrk8s.tlsArgs" -}}
{{- with .Values.tls.cipherSuites }}
- --tls-cipher-suites={{ . }}
{{- end }}
{{- with .Values.tls.curvePreferences }}
- --tls-curve-preferences={{ . }}
{{- end }}
{{- with .Values.tls.minVersion }}
- --tls-min-version={{ . }}
{{- end }}
{{- end }}

{{/*
Tolerations of the daemon and statuscleaner pods.
*/}}
{{- define "frrk8s.tolerations" -}}
{{- if or .Values.frrk8s.tolerateMaster .Values.frrk8s.tolerations }}
tolerations:
{{- if .Values.frrk8s.tolerateMaster }}
- key: node-role.kubernetes.io/master
  effect: NoSchedule
  operator: Exists
- key: node-role.kubernetes.io/control-plane
  effect: NoSchedule
  operator: Exists
{{- end }}
{{- with .Values.frrk8s.tolerations }}
{{ toYaml . }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Scheduling fields shared by the daemon and statuscleaner pods.
*/}}
{{- define "frrk8s.podScheduling" -}}
nodeSelector:
  {{- toYaml (merge (deepCopy (default (dict) .Values.frrk8s.nodeSelector)) (dict "kubernetes.io/os" "linux")) | nindent 2 }}
{{- with .Values.frrk8s.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- include "frrk8s.tolerations" . }}
{{- with .Values.frrk8s.priorityClassName }}
priorityClassName: {{ . | quote }}
{{- end }}
{{- with .Values.frrk8s.runtimeClassName }}
runtimeClassName: {{ . }}
{{- end }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

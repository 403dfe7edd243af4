{{/* Chart name, shortened to a DNS label. */}}
{{- define "my-workload-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Resource name prefix: <release>-<chart>, or <release> when it already contains the chart name. */}}
{{- define "my-workload-operator.fullname" -}}
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

{{- define "my-workload-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "my-workload-operator.labels" -}}
helm.sh/chart: {{ include "my-workload-operator.chart" . }}
{{ include "my-workload-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: my-workload-operator
{{- end }}

{{/* Labels that select the operator's pods; immutable in the Deployment selector, so never add to them. */}}
{{- define "my-workload-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "my-workload-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "my-workload-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "my-workload-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "my-workload-operator.leaseName" -}}
{{- default (include "my-workload-operator.fullname" .) .Values.leaderElection.leaseName }}
{{- end }}

{{- define "my-workload-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The Service in front of the webhook servers of every replica. */}}
{{- define "my-workload-operator.webhookServiceName" -}}
{{- printf "%s-webhook" (include "my-workload-operator.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The ValidatingWebhookConfiguration the replicas register in (cluster-scoped: named per release). */}}
{{- define "my-workload-operator.webhookConfigurationName" -}}
{{- include "my-workload-operator.fullname" . }}
{{- end }}

{{/* Where the cert-manager Secret is mounted (--webhook-cert-dir). */}}
{{- define "my-workload-operator.webhookCertDir" -}}
/etc/my-workload-operator/webhook-certs
{{- end }}

{{/*
Chart name, overridable.
*/}}
{{- define "procgroup.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: the release name when it already contains the chart name, else "<release>-<name>".
Truncated to 47 characters so that the longest suffix ("-leader-election", 16) stays within 63.
*/}}
{{- define "procgroup.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 47 | trimSuffix "-" }}
{{- else }}
{{- $name := include "procgroup.name" . }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 47 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 47 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
"name-version" for the helm.sh/chart label.
*/}}
{{- define "procgroup.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Selector labels (immutable on the Deployment: never add to these).
*/}}
{{- define "procgroup.selectorLabels" -}}
app.kubernetes.io/name: {{ include "procgroup.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{/*
Common labels.
*/}}
{{- define "procgroup.labels" -}}
helm.sh/chart: {{ include "procgroup.chart" . }}
{{ include "procgroup.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: procgroup
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
The operator's ServiceAccount name.
*/}}
{{- define "procgroup.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "procgroup.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create=false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Operator image reference: repository@digest, or repository:tag (tag defaults to appVersion).
*/}}
{{- define "procgroup.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
Sidecar image reference handed to the operator (tag defaults to appVersion).
*/}}
{{- define "procgroup.sidecarImage" -}}
{{- printf "%s:%s" .Values.sidecar.image.repository (default .Chart.AppVersion .Values.sidecar.image.tag) }}
{{- end }}

{{/*
Namespace of the leader-election Lease.
*/}}
{{- define "procgroup.leaseNamespace" -}}
{{- default .Release.Namespace .Values.leaderElection.namespace }}
{{- end }}

{{/*
Whether the operator runs namespaced (a Role per watched namespace) rather than cluster-wide.
Renders "true" or "".
*/}}
{{- define "procgroup.namespaced" -}}
{{- if gt (len .Values.watchNamespaces) 0 }}true{{ end }}
{{- end }}

{{/*
The operator's permissions on workload resources, as listed in operator/README.md ("Kubernetes
permissions it needs"), with the CRD's real plural "procgroups" (crds/procgroups.procgroup.dev-v1.yml;
the README's "processgroups" is not a resource the API server knows). Shared by the ClusterRole (all namespaces) and the per-namespace
Roles (watchNamespaces). Leases are not here: they are granted in the Lease namespace only.
Holding pods get/list/watch also lets the operator create the sidecar's read-only pod Role without the
"escalate" verb (RBAC escalation prevention).
*/}}
{{- define "procgroup.workloadRules" -}}
- apiGroups: ["procgroup.dev"]
  resources: ["procgroups"]
  verbs: ["get", "list", "watch", "patch", "update"]
- apiGroups: ["procgroup.dev"]
  resources: ["procgroups/status"]
  verbs: ["get", "patch", "update"]
- apiGroups: ["procgroup.dev"]
  resources: ["procgroups/finalizers"]
  verbs: ["update"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
- apiGroups: ["autoscaling"]
  resources: ["horizontalpodautoscalers"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["services"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
# held only so that it may grant them to each group's sidecars (RBAC's escalation check); never read by the operator
- apiGroups: ["discovery.k8s.io"]
  resources: ["endpointslices"]
  verbs: ["list", "watch"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["create"]
- apiGroups: [""]
  resources: ["serviceaccounts"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
- apiGroups: ["networking.k8s.io"]
  resources: ["networkpolicies"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["roles", "rolebindings"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}

{{/*
Cross-field checks the JSON schema cannot express clearly.
*/}}
{{- define "procgroup.validate" -}}
{{- if and (gt (int .Values.replicas) 1) (not .Values.leaderElection.enabled) }}
{{- fail "replicas > 1 requires leaderElection.enabled=true (otherwise several operators would reconcile the same groups)" }}
{{- end }}
{{- end }}

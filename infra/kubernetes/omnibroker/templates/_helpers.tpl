{{/* The release's full name, at most 63 characters (a DNS label). */}}
{{- define "omnibroker.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "omnibroker.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "omnibroker.labels" -}}
{{ include "omnibroker.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "omnibroker.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "omnibroker.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Secret holding OSB auth, encryption keys and the Redis password. */}}
{{- define "omnibroker.secretName" -}}
{{- default (include "omnibroker.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{- define "omnibroker.brokerUrl" -}}
{{- default (printf "http://%s.%s.svc.cluster.local:%v" (include "omnibroker.fullname" .) .Release.Namespace .Values.service.port) .Values.clusterServiceBroker.url -}}
{{- end -}}

{{- define "omnibroker.redisUrl" -}}
{{- if .Values.redis.enabled -}}
{{- printf "redis://%s-redis-master:6379/0" .Release.Name -}}
{{- else -}}
{{- required "state.redis.url is required when state.type is redis and redis.enabled is false" .Values.state.redis.url -}}
{{- end -}}
{{- end -}}

{{- define "omnibroker.redisPasswordSet" -}}
{{- if or .Values.redis.enabled .Values.state.redis.password .Values.state.redis.passwordFromSecret -}}true{{- end -}}
{{- end -}}

{{/* The omnibroker config file; secrets are ${ENV} references filled from the Secret. */}}
{{- define "omnibroker.config" -}}
listen:
  host: 0.0.0.0
  port: {{ .Values.service.port }}
auth:
  basic:
    - username: "${OMNIBROKER_USERNAME}"
      password: "${OMNIBROKER_PASSWORD}"
state:
{{- if eq .Values.state.type "redis" }}
  type: redis
  url: {{ include "omnibroker.redisUrl" . | quote }}
  keyPrefix: {{ .Values.state.redis.keyPrefix | quote }}
  {{- if include "omnibroker.redisPasswordSet" . }}
  password: "${OMNIBROKER_REDIS_PASSWORD}"
  {{- end }}
  {{- if .Values.state.redis.tls }}
  tls: true
  {{- end }}
  {{- if .Values.state.redis.sentinels }}
  sentinels: {{- toYaml .Values.state.redis.sentinels | nindent 4 }}
  sentinelName: {{ .Values.state.redis.sentinelName | quote }}
  {{- end }}
{{- else if eq .Values.state.type "dynamodb" }}
  type: dynamodb
  table: {{ .Values.state.dynamodb.table | quote }}
  region: {{ .Values.state.dynamodb.region | quote }}
  {{- if .Values.state.dynamodb.endpoint }}
  endpoint: {{ .Values.state.dynamodb.endpoint | quote }}
  {{- end }}
{{- else if eq .Values.state.type "memory" }}
  {{- if gt (int .Values.replicaCount) 1 }}
  {{- fail "state.type memory keeps state in one process: set replicaCount to 1 or use redis or dynamodb" }}
  {{- end }}
  type: memory
{{- else }}
  {{- fail "state.type must be redis, dynamodb or memory" }}
{{- end }}
{{- if not .Values.encryption.keys }}
{{- fail "encryption.keys needs at least one key ({ id, secret })" }}
{{- end }}
encryption:
  keys:
  {{- range $index, $key := .Values.encryption.keys }}
    - id: {{ $key.id | quote }}
      secret: "${OMNIBROKER_ENCRYPTION_KEY_{{ $index }}}"
  {{- end }}
{{ toYaml .Values.config }}
{{- end -}}

{{/* What `helm install` of a service chart creates (helm keeps its releases as Secrets), and the backend's reads. */}}
{{- define "omnibroker.rbacRules" -}}
- apiGroups: [""]
  resources: [secrets, configmaps, services, serviceaccounts, persistentvolumeclaims, endpoints]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch]
- apiGroups: [apps]
  resources: [statefulsets, deployments, replicasets]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [batch]
  resources: [jobs]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [policy]
  resources: [poddisruptionbudgets]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [networking.k8s.io]
  resources: [networkpolicies]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [rbac.authorization.k8s.io]
  resources: [roles, rolebindings]
  verbs: [get, list, watch, create, update, patch, delete]
{{- end -}}

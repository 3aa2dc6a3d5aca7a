{{/*
Chart name, overridable with nameOverride.
*/}}
{{- define "rgsd.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name: the `helm create` rule. The release name when it already
contains the chart name, else "<release>-<chart>", truncated to 63 characters.
The CLI mirrors this rule in src/core/names.ts.
*/}}
{{- define "rgsd.fullname" -}}
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
"rgsd-<chart version>", the helm.sh/chart label value.
*/}}
{{- define "rgsd.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Selector labels: stable for the lifetime of the release (Deployment selectors are immutable).
*/}}
{{- define "rgsd.selectorLabels" -}}
app.kubernetes.io/name: {{ include "rgsd.name" . | toJson }}
app.kubernetes.io/instance: {{ .Release.Name | toJson }}
rgsd.dev/project: {{ .Values.project | toJson }}
{{- end }}

{{/*
Labels on every object.
*/}}
{{- define "rgsd.labels" -}}
{{ include "rgsd.selectorLabels" . }}
app.kubernetes.io/version: {{ include "rgsd.imageTag" . | trunc 63 | trimSuffix "-" | toJson }}
app.kubernetes.io/managed-by: {{ .Release.Service | toJson }}
helm.sh/chart: {{ include "rgsd.chart" . | toJson }}
{{- end }}

{{- define "rgsd.imageTag" -}}
{{- .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/*
The image reference: "repository@digest" when image.digest is set (the tag then only
names the version in the app.kubernetes.io/version label), else "repository:tag".
*/}}
{{- define "rgsd.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (include "rgsd.imageTag" .) }}
{{- end }}
{{- end }}

{{- define "rgsd.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "rgsd.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "rgsd.homeClaimName" -}}
{{- .Values.persistence.existingClaim | default (printf "%s-home" (include "rgsd.fullname" .)) }}
{{- end }}

{{- define "rgsd.secretName" -}}
{{- .Values.secrets.existingSecret | default (printf "%s-secrets" (include "rgsd.fullname" .)) }}
{{- end }}

{{/*
Chart mode: the Secret's data map as canonical JSON (keys sorted by toJson, values base64).
*/}}
{{- define "rgsd.secretDataJson" -}}
{{- $data := dict }}
{{- range $key, $value := .Values.secrets.env }}
{{- $_ := set $data $key ($value | toString | b64enc) }}
{{- end }}
{{- range $key, $value := .Values.secrets.files }}
{{- $_ := set $data $key ($value | toString | b64enc) }}
{{- end }}
{{- toJson $data }}
{{- end }}

{{/*
checksum/secrets: sha256 over the canonical JSON of the Secret's base64 data, keys sorted.
Chart mode computes it here; existing-secret mode takes it from secrets.checksum, which
the CLI computes with the same formula (src/core/secrets.ts), so the same data gives the
same checksum in both modes and only a data change rolls the pod.
*/}}
{{- define "rgsd.secretsChecksum" -}}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.checksum }}
{{- else }}
{{- include "rgsd.secretDataJson" . | sha256sum }}
{{- end }}
{{- end }}

{{/* "true" when the containers' root filesystem is read-only (then /tmp is an emptyDir), else "". */}}
{{- define "rgsd.readOnlyRoot" -}}
{{- if .Values.securityContext.readOnlyRootFilesystem }}true{{ end }}
{{- end }}

{{/* "true" when idle sleep is on (idle.sleepAfter set), else "". */}}
{{- define "rgsd.idleOn" -}}
{{- if .Values.idle.sleepAfter }}true{{ end }}
{{- end }}

{{/* The idle-watcher's fallback API addresses (host:port, comma-separated): every
networkPolicy.apiServerCIDRs address (a /32 or /128, or a bare IP) with every apiServerPorts port. */}}
{{- define "rgsd.idleApiServers" -}}
{{- $out := list }}
{{- range .Values.networkPolicy.apiServerCIDRs }}
{{- $ip := regexReplaceAll "/(32|128)$" (toString .) "" }}
{{- if not (contains "/" $ip) }}
{{- range $.Values.networkPolicy.apiServerPorts }}
{{- $out = append $out (ternary (printf "[%s]:%v" $ip .) (printf "%s:%v" $ip .) (contains ":" $ip)) }}
{{- end }}
{{- end }}
{{- end }}
{{- join "," $out }}
{{- end }}

{{/* Whether the pod needs a Kubernetes API token. */}}
{{- define "rgsd.apiAccess" -}}
{{- if ne .Values.rbac.mode "none" }}true{{ else }}false{{ end }}
{{- end }}

{{/*
Environment of both containers: the image contract (docs/ARCHITECTURE.md) plus extraEnv.
Values go through toJson so any string (quotes, colons, newlines) stays one YAML scalar.
*/}}
{{- define "rgsd.env" -}}
- name: RGSD_PROJECT
  value: {{ .Values.project | toJson }}
- name: RGSD_HOME
  value: "/home/gsd"
- name: RGSD_SKEL
  value: "/home/gsd.skel"
- name: RGSD_INIT_SOURCE_DIR
  value: "/var/run/rgsd/secrets"
- name: RGSD_WORKSPACE
  value: {{ printf "/home/gsd/%s" .Values.workspace | toJson }}
- name: RGSD_REPO_URL
  value: {{ .Values.git.repo | toJson }}
- name: RGSD_REPO_BRANCH
  value: {{ .Values.git.branch | toJson }}
- name: RGSD_GIT_USER_NAME
  value: {{ .Values.git.userName | toJson }}
- name: RGSD_GIT_USER_EMAIL
  value: {{ .Values.git.userEmail | toJson }}
- name: RGSD_TMUX_SESSION
  value: {{ .Values.tmux.session | toJson }}
- name: RGSD_AGENT
  value: {{ .Values.agent.name | toJson }}
- name: RGSD_AGENT_AUTOSTART
  value: {{ .Values.agent.autoStart | toString | toJson }}
- name: RGSD_AGENT_ARGS
  value: {{ .Values.agent.args | toJson | toJson }}
- name: RGSD_VSCODE_TUNNEL
  value: {{ .Values.vscodeTunnel.enabled | toString | toJson }}
- name: RGSD_VSCODE_TUNNEL_NAME
  value: {{ .Values.vscodeTunnel.name | default .Values.project | trunc 20 | trimSuffix "-" | toJson }}
{{- if include "rgsd.readOnlyRoot" . }}
- name: TMUX_TMPDIR
  value: "/tmp"
{{- end }}
{{- if include "rgsd.idleOn" . }}
- name: RGSD_IDLE_DIR
  value: "/var/run/rgsd/idle"
{{- end }}
{{- range .Values.extraEnv }}
- {{ toJson . }}
{{- end }}
{{- end }}

{{/* "=name": exact session name (a bare name would also match "main2" by prefix). */}}
{{- define "rgsd.tmuxProbe" -}}
exec:
  command: {{ list "tmux" "has-session" "-t" (printf "=%s" .Values.tmux.session) | toJson }}
{{- end }}

{{/*
Checks the schema cannot express (and the ones that must hold even when a user skips the
schema with --skip-schema-validation). Included by deployment.yaml, which always renders.
*/}}
{{- define "rgsd.validate" -}}
{{- if ne .Values.rbac.mode "none" }}
{{- if and (not .Values.serviceAccount.create) (not .Values.serviceAccount.name) }}
{{- fail (printf "serviceAccount.name is required when serviceAccount.create is false and rbac.mode is %s: the chart binds its rights only to a named ServiceAccount, never to the namespace's \"default\" one (every pod without its own ServiceAccount would get them)" .Values.rbac.mode) }}
{{- end }}
{{- if eq .Values.serviceAccount.name "default" }}
{{- fail (printf "serviceAccount.name must not be \"default\" when rbac.mode is %s: every pod of the namespace without its own ServiceAccount would get the workstation's rights; name a ServiceAccount of its own (or leave serviceAccount.create true)" .Values.rbac.mode) }}
{{- end }}
{{- end }}
{{- if and .Values.idle.sleepAfter (eq (include "rgsd.serviceAccountName" .) "default") }}
{{- fail "idle.sleepAfter needs a ServiceAccount of its own (serviceAccount.create true, or serviceAccount.name): the chart never gives the namespace's \"default\" ServiceAccount the right to scale the Deployment" }}
{{- end }}
{{- $workspace := toString .Values.workspace }}
{{- if or (hasPrefix "/" $workspace) (has ".." (splitList "/" $workspace)) (has "." (splitList "/" $workspace)) (not $workspace) }}
{{- fail (printf "workspace %q must be a relative directory under the home without \".\" or \"..\" parts, e.g. \"workspace\" or \"src/app\"" $workspace) }}
{{- end }}
{{- $reserved := list "home" "secrets" "tmp" }}
{{- range .Values.extraVolumes }}
{{- if has .name $reserved }}
{{- fail (printf "extraVolumes: the name %q is the chart's own (home, secrets, tmp); choose another" .name) }}
{{- end }}
{{- end }}
{{- end }}

#!/usr/bin/env bash
# Builds the local cluster's binaries from the Go module proxy and caches them outside the repo:
#   $PROCGROUP_CACHE/k8s/$K8S_VERSION/bin/{kube-apiserver,kube-controller-manager,kube-scheduler,kubelet,kube-proxy,kubectl}
#   $PROCGROUP_CACHE/etcd/$ETCD_VERSION/bin/etcd
#   $PROCGROUP_CACHE/helm/$HELM_VERSION/bin/helm
#   $PROCGROUP_CACHE/coredns/$COREDNS_VERSION/bin/coredns
#   $PROCGROUP_CACHE/metrics-server/$METRICS_SERVER_VERSION/bin/metrics-server
#   $PROCGROUP_CACHE/kube-router/$KUBE_ROUTER_VERSION/bin/kube-router
#   $PROCGROUP_CACHE/prometheus/$PROMETHEUS_VERSION/bin/prometheus (Kubernetes service discovery only; the e2e suite)
#   $PROCGROUP_CACHE/otelcol/$OTELCOL_VERSION/bin/procgroup-otelcol (an OpenTelemetry Collector: OTLP receiver + file
#     exporter, e2e/cluster/otelcol; the e2e suite's span sink)
#   $PROCGROUP_CACHE/dapr/$DAPR_VERSION/bin/daprd (target `dapr` only: the hub benchmark's peer, not the cluster's)
# and lays out kube-apiserver/etcd/kubectl where fabric8 kube-api-test looks for them offline
# (~/.kubeapitest/k8s/<version>-linux-amd64). A cache entry is complete only once its .done stamp exists,
# so an interrupted build is redone rather than trusted.
#
# k8s.io/kubernetes cannot be `go install`ed (its go.mod replaces every staging module with a local path),
# so we build it through a wrapper module that replaces each staging module with its published v0.X.Y.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"
only=${1:-all}   # all | apiserver (just what the API tests need: kube-apiserver, kubectl, etcd) | prometheus | otelcol | dapr

log() { printf '[build-binaries %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# One build at a time per cache: concurrent callers (two engineers, CI and a developer) wait here
# instead of compiling the same thing twice on 2 cores; the second one then finds the cache warm.
# Taken only by a build that has something to compile: what is cached is used at once, even while another build
# of something else runs (an API test waited half an hour on a cluster build for binaries it had).
mkdir -p "$PROCGROUP_CACHE"
take_lock() {
  [[ -e /dev/fd/9 ]] && return
  exec 9>"$PROCGROUP_CACHE/.build.lock"
  if ! flock -n 9; then
    log "another build-binaries.sh is running (lock $PROCGROUP_CACHE/.build.lock): waiting for it"
    flock 9
  fi
}
export CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=local

build_k8s() {
  local out=$PROCGROUP_CACHE/k8s/$K8S_VERSION/bin cmds=("$@")
  local missing=()
  for c in "${cmds[@]}"; do [[ -x $out/$c && -e $out/.done-$c ]] || missing+=("$c"); done
  ((${#missing[@]})) || { log "kubernetes $K8S_VERSION: cached (${cmds[*]})"; return; }
  take_lock
  log "kubernetes $K8S_VERSION: building ${missing[*]}"
  local w=$PROCGROUP_CACHE/k8s/$K8S_VERSION/wrapper sv=v0.${K8S_VERSION#v1.}
  mkdir -p "$w" "$out"
  (
    cd "$w"
    if [[ ! -f go.mod ]]; then
      local gomod
      gomod=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": *"\([^"]*\)".*/\1/p')
      go mod init local/procgroup-k8s-build >/dev/null 2>&1
      # Same language version and GODEBUG defaults as the upstream build (dependency godebug lines are ignored).
      go mod edit -go="$(awk '$1=="go"{print $2; exit}' "$gomod")"
      awk '$1=="godebug"{print}' "$gomod" >> go.mod
      for m in $(awk '$2=="v0.0.0" && $1 ~ /^k8s\.io\// {print $1}' "$gomod"); do
        go mod edit -replace="$m=$m@$sv"
      done
      go mod edit -require="k8s.io/kubernetes@$K8S_VERSION"
      printf 'package tools\n' > tools.go
    fi
    for c in "${missing[@]}"; do go get "k8s.io/kubernetes/cmd/$c@$K8S_VERSION"; done
    local minor ldf="-s -w" date
    minor=$(echo "$K8S_VERSION" | cut -d. -f2)
    date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    for kv in gitMajor=1 gitMinor="$minor" gitVersion="$K8S_VERSION" gitTreeState=clean buildDate="$date"; do
      ldf="$ldf -X k8s.io/component-base/version.$kv -X k8s.io/client-go/pkg/version.$kv"
    done
    go build -trimpath -tags selinux,notest -ldflags "$ldf" -o "$out/" \
      $(for c in "${missing[@]}"; do echo "k8s.io/kubernetes/cmd/$c"; done)
  )
  for c in "${missing[@]}"; do touch "$out/.done-$c"; done
  "$out/kube-apiserver" --version >&2 2>/dev/null || true
}

build_etcd() {
  local out=$PROCGROUP_CACHE/etcd/$ETCD_VERSION/bin
  [[ -x $out/etcd && -e $out/.done ]] && { log "etcd $ETCD_VERSION: cached"; return; }
  take_lock
  log "etcd $ETCD_VERSION: building"
  local w=$PROCGROUP_CACHE/etcd/$ETCD_VERSION/wrapper
  mkdir -p "$w" "$out"
  (
    cd "$w"
    [[ -f go.mod ]] || { go mod init local/procgroup-etcd-build >/dev/null 2>&1; printf 'package tools\n' > tools.go; }
    go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
    go build -trimpath -ldflags "-s -w" -o "$out/etcd" go.etcd.io/etcd/server/v3
  )
  touch "$out/.done"
}

build_helm() {
  local out=$PROCGROUP_CACHE/helm/$HELM_VERSION/bin
  # .done-v2: stamped with the Kubernetes minor of the client-go helm is built with, as helm's own Makefile does;
  # without it `helm template`/`lint` assume Kubernetes 1.20 and refuse charts that need newer.
  [[ -x $out/helm && -e $out/.done-v2 ]] && { log "helm $HELM_VERSION: cached"; return; }
  take_lock
  log "helm $HELM_VERSION: building"
  mkdir -p "$out"
  local gomod minor ldf
  gomod=$(go mod download -json "helm.sh/helm/v3@$HELM_VERSION" | sed -n 's/.*"GoMod": *"\([^"]*\)".*/\1/p')
  minor=$(awk '$1=="k8s.io/client-go" {split($2, v, "."); print v[2]; exit}' "$gomod")
  ldf="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
  for pkg in pkg/lint/rules pkg/chartutil; do
    ldf="$ldf -X helm.sh/helm/v3/$pkg.k8sVersionMajor=1 -X helm.sh/helm/v3/$pkg.k8sVersionMinor=$minor"
  done
  GOBIN=$out go install -trimpath -ldflags "$ldf" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  touch "$out/.done-v2"
}

# build_go_tool NAME VERSION PACKAGE [LDFLAGS [TAGS]]: a program whose module has no replace directives, so
# `go install` works: CoreDNS (its default plugin set: kubernetes, template, health, ready, ...),
# metrics-server, kube-router and Prometheus. LDFLAGS are added to "-s -w" (e.g. -X for a version variable).
build_go_tool() {
  local name=$1 version=$2 pkg=$3 ldf="-s -w${4:+ $4}" tags=${5:-} out=$PROCGROUP_CACHE/$1/$2/bin
  [[ -x $out/$name && -e $out/.done ]] && { log "$name $version: cached"; return; }
  take_lock
  log "$name $version: building"
  mkdir -p "$out"
  GOBIN=$out nice go install -trimpath -ldflags "$ldf" ${tags:+-tags "$tags"} "$pkg@$version"
  touch "$out/.done"
}

# Prometheus for the e2e suite's real scrape of the cluster: Debian's package (kept for promtool) is built without
# Kubernetes service discovery. Only that discovery is compiled in (its plugin build tags); no web UI assets (the API
# is what the tests use).
build_prometheus() {
  build_go_tool prometheus "$PROMETHEUS_VERSION" github.com/prometheus/prometheus/cmd/prometheus \
    "-X github.com/prometheus/common/version.Version=$PROMETHEUS_VERSION" remove_all_sd,enable_kubernetes_sd
}

# The OpenTelemetry Collector the e2e suite sends spans to (TracingE2E): the collector's own build is a module with
# replace directives (not `go install`able), so e2e/cluster/otelcol is a wrapper module with just the components the
# suite needs, its versions pinned in its committed go.mod/go.sum (OTELCOL_VERSION names the collector release).
build_otelcol() {
  local out=$PROCGROUP_CACHE/otelcol/$OTELCOL_VERSION/bin src=$here/otelcol
  [[ -x $out/procgroup-otelcol && -e $out/.done ]] && { log "otelcol $OTELCOL_VERSION: cached"; return; }
  grep -q "go.opentelemetry.io/collector/otelcol $OTELCOL_VERSION\$" "$src/go.mod" \
    || { log "e2e/cluster/otelcol/go.mod does not require otelcol $OTELCOL_VERSION (versions.env)"; return 1; }
  log "otelcol $OTELCOL_VERSION: building"
  mkdir -p "$out"
  (cd "$src" && nice go build -mod=readonly -trimpath -ldflags "-s -w" -o "$out/procgroup-otelcol" .)
  touch "$out/.done"
}

# Dapr's sidecar for the hub benchmark (bench/hub/run.sh asks for it; no test needs it, so `all` leaves it out: it
# is the largest build here). Like Kubernetes, dapr/dapr's go.mod has replace directives, so a wrapper module
# requires it and carries the replaces over; the components are Dapr's release flavour (`allcomponents`, its
# Makefile's default), the version stamped as its Makefile does. nice -n 19: minutes of compiling that must not slow
# whatever else the machine runs.
build_dapr() {
  local out=$PROCGROUP_CACHE/dapr/$DAPR_VERSION/bin w=$PROCGROUP_CACHE/dapr/$DAPR_VERSION/wrapper v=${DAPR_VERSION#v}
  [[ -x $out/daprd && -e $out/.done ]] && { log "daprd $DAPR_VERSION: cached"; return; }
  take_lock
  log "daprd $DAPR_VERSION: building (10-30 min on 2 cores when the Go caches are cold)"
  mkdir -p "$w" "$out"
  (
    cd "$w"
    if [[ ! -f go.mod ]]; then
      local gomod
      gomod=$(go mod download -json "github.com/dapr/dapr@$DAPR_VERSION" | sed -n 's/.*"GoMod": *"\([^"]*\)".*/\1/p')
      go mod init local/procgroup-dapr-build >/dev/null 2>&1
      go mod edit -go="$(awk '$1=="go"{print $2; exit}' "$gomod")"
      # `replace (` blocks and one-line replaces, "old [v] => new [v]" -> -replace=old[@v]=new[@v]
      awk '/^replace \(/ {blk=1; next} blk && /^\)/ {blk=0; next}
           (blk || /^replace [^(]/) && /=>/ && $1 !~ /^\/\// {
             sub(/^replace /, ""); split($0, side, "=>"); n = split(side[1], l, " "); m = split(side[2], r, " ")
             print l[1] (n > 1 ? "@" l[2] : "") "=" r[1] (m > 1 ? "@" r[2] : "") }' "$gomod" |
        while read -r rep; do go mod edit -replace="$rep"; done
      go mod edit -require="github.com/dapr/dapr@$DAPR_VERSION"
      printf 'package tools\n' > tools.go
    fi
    nice -n 19 go build -trimpath -tags allcomponents -o "$out/daprd" -ldflags "-s -w \
      -X github.com/dapr/dapr/pkg/buildinfo.version=$v -X github.com/dapr/dapr/pkg/buildinfo.gitversion=$DAPR_VERSION \
      -X github.com/dapr/kit/logger.DaprVersion=$v" github.com/dapr/dapr/cmd/daprd
  )
  touch "$out/.done"
  "$out/daprd" --version >&2 || true
}

# fabric8 kube-api-test finds binaries offline in $KUBE_API_TEST_DIR/k8s/<version>-linux-amd64.
link_kube_api_test() {
  local dir=${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}/k8s/${K8S_VERSION#v}-linux-amd64
  mkdir -p "$dir"
  ln -sf "$PROCGROUP_CACHE/k8s/$K8S_VERSION/bin/kube-apiserver" "$dir/kube-apiserver"
  ln -sf "$PROCGROUP_CACHE/k8s/$K8S_VERSION/bin/kubectl" "$dir/kubectl"
  ln -sf "$PROCGROUP_CACHE/etcd/$ETCD_VERSION/bin/etcd" "$dir/etcd"
}

start=$SECONDS
if [[ $only == dapr ]]; then build_dapr; log "done in $((SECONDS - start))s"; exit 0; fi
if [[ $only == otelcol ]]; then build_otelcol; log "done in $((SECONDS - start))s"; exit 0; fi
build_etcd
case $only in
  apiserver) build_k8s kube-apiserver kubectl ;;
  all) build_k8s kube-apiserver kubectl kube-controller-manager kube-scheduler kubelet kube-proxy; build_helm
       build_go_tool coredns "$COREDNS_VERSION" github.com/coredns/coredns
       build_go_tool metrics-server "$METRICS_SERVER_VERSION" sigs.k8s.io/metrics-server/cmd/metrics-server
       # Its Makefile stamps the version (kube-router --version, and the log line it starts with).
       build_go_tool kube-router "$KUBE_ROUTER_VERSION" github.com/cloudnativelabs/kube-router/v2/cmd/kube-router \
         "-X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$KUBE_ROUTER_VERSION -X github.com/cloudnativelabs/kube-router/v2/pkg/version.BuildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
       build_prometheus
       build_otelcol ;;
  prometheus) build_prometheus ;;
  *) echo "usage: $0 [all|apiserver|prometheus|otelcol|dapr]" >&2; exit 2 ;;
esac
link_kube_api_test
log "done in $((SECONDS - start))s"

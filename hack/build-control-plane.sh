#!/usr/bin/env bash
# Builds the local control plane from the Go module proxy into a version-keyed cache folder and
# prints that folder's bin/ path. A complete cache (every binary present and reporting the pinned
# version) is reused in seconds; anything less is rebuilt. Nothing is written inside the repo.
#
#   hack/build-control-plane.sh            build or reuse, print BIN
#   hack/build-control-plane.sh --check    exit 0 only if the cache is complete (no build)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=hack/versions.env
source "$here/versions.env"

if ! command -v go >/dev/null 2>&1; then
  echo "error: 'go' not found: install Go >= 1.26 (https://go.dev/doc/install) to build the local control plane" >&2
  exit 1
fi

cache_root=${MWO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/my-workload-operator}
key="k8s-${KUBERNETES_VERSION}_etcd-${ETCD_VERSION}_kwok-${KWOK_VERSION}"
dir="$cache_root/$key"
bin="$dir/bin"

log() { echo "[build-control-plane] $*" >&2; }

# Each check prints nothing and succeeds only if the binary runs and names the pinned version.
# Output is captured before matching: `cmd | grep -q` under pipefail fails at random when grep
# exits early and the command dies of SIGPIPE.
reports() { local out; out=$("$@" 2>/dev/null) || return 1; [[ "$out" == *"$VERSION_WANTED"* ]]; }
check_k8s() { VERSION_WANTED="Kubernetes ${KUBERNETES_VERSION}" reports "$bin/$1" --version; }
check_kubectl() { VERSION_WANTED="Client Version: ${KUBERNETES_VERSION}" reports "$bin/kubectl" version --client; }
check_etcd() { VERSION_WANTED="etcd Version: ${ETCD_VERSION#v}" reports "$bin/etcd" --version; }
check_kwok() { VERSION_WANTED="version ${KWOK_VERSION} " reports "$bin/$1" --version; }

k8s_complete() { check_k8s kube-apiserver && check_k8s kube-controller-manager && check_k8s kube-scheduler && check_kubectl; }
etcd_complete() { check_etcd; }
kwok_complete() { check_kwok kwok && check_kwok kwokctl; }

if [[ "${1:-}" == "--check" ]]; then
  k8s_complete && etcd_complete && kwok_complete
  exit $?
fi

mkdir -p "$bin"
export CGO_ENABLED=0
start=$(date +%s)

if ! k8s_complete; then
  log "building Kubernetes ${KUBERNETES_VERSION} (kube-apiserver, kube-controller-manager, kube-scheduler, kubectl)"
  mod="$dir/src/kubernetes"
  rm -rf "$mod" && mkdir -p "$mod"
  (
    cd "$mod"
    go mod init local/k8s-wrapper >/dev/null 2>&1
    gomod=$(go mod download -json "k8s.io/kubernetes@${KUBERNETES_VERSION}" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
    [[ -f "$gomod" ]] || { echo "error: could not download k8s.io/kubernetes@${KUBERNETES_VERSION}'s go.mod" >&2; exit 1; }
    # k8s.io/kubernetes requires its staging modules at v0.0.0 with local replaces; point them at the
    # published v0.x releases instead.
    replaces=()
    while read -r name; do
      replaces+=("-replace=k8s.io/${name}=k8s.io/${name}@${KUBERNETES_STAGING_VERSION}")
    done < <(sed -n 's#^[[:space:]]*k8s.io/\([a-z0-9-]*\) => ./staging/src/k8s.io/.*#\1#p' "$gomod")
    [[ ${#replaces[@]} -gt 20 ]] || { echo "error: found only ${#replaces[@]} staging replaces in $gomod" >&2; exit 1; }
    go mod edit "${replaces[@]}"
    cmds=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
    # go get on the command packages (not just the module) records the sums of everything they import.
    pkgs=("${cmds[@]/#/k8s.io/kubernetes/cmd/}")
    go get "${pkgs[@]/%/@${KUBERNETES_VERSION}}" 2>get.log || { cat get.log >&2; exit 1; }
    minor=${KUBERNETES_VERSION#v1.}; minor=${minor%%.*}
    ldflags="-s -w"
    for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ldflags+=" -X $pkg.gitVersion=${KUBERNETES_VERSION} -X $pkg.gitMajor=1 -X $pkg.gitMinor=${minor}"
      ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
    done
    go build -trimpath -ldflags "$ldflags" -o "$bin/" "${pkgs[@]}"
  )
  k8s_complete || { echo "error: Kubernetes binaries built but do not report ${KUBERNETES_VERSION}" >&2; exit 1; }
fi

if ! etcd_complete; then
  log "building etcd ${ETCD_VERSION}"
  mod="$dir/src/etcd"
  rm -rf "$mod" && mkdir -p "$mod"
  (
    cd "$mod"
    go mod init local/etcd-wrapper >/dev/null 2>&1
    go get "go.etcd.io/etcd/server/v3@${ETCD_VERSION}" 2>get.log || { cat get.log >&2; exit 1; }
    go build -trimpath -ldflags "-s -w" -o "$bin/etcd" go.etcd.io/etcd/server/v3
  )
  etcd_complete || { echo "error: etcd built but does not report ${ETCD_VERSION}" >&2; exit 1; }
fi

if ! kwok_complete; then
  log "building kwok and kwokctl ${KWOK_VERSION}"
  GOBIN="$bin" go install -trimpath -ldflags "-s -w" \
    "sigs.k8s.io/kwok/cmd/kwok@${KWOK_VERSION}" "sigs.k8s.io/kwok/cmd/kwokctl@${KWOK_VERSION}"
  kwok_complete || { echo "error: kwok built but does not report ${KWOK_VERSION}" >&2; exit 1; }
fi

log "control plane ready in $(( $(date +%s) - start ))s: $bin"
echo "$bin"

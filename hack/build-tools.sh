#!/usr/bin/env bash
# Builds the packaging tools (helm, kind) from the Go module proxy into a version-keyed cache folder
# and prints that folder's bin/ path. A complete cache (both binaries present and reporting the
# pinned versions) is reused in seconds; anything less is rebuilt. Nothing is written inside the repo.
#
#   hack/build-tools.sh            build or reuse, print BIN
#   hack/build-tools.sh --check    exit 0 only if the cache is complete (no build)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=hack/versions.env
source "$here/versions.env"

cache_root=${MWO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/my-workload-operator}
key="tools-helm-${HELM_VERSION}_kind-${KIND_VERSION}"
dir="$cache_root/$key"
bin="$dir/bin"

log() { echo "[build-tools] $*" >&2; }

# Each check prints nothing and succeeds only if the binary runs and names the pinned version.
# Output is captured before matching (see build-control-plane.sh: grep -q under pipefail).
reports() { local out; out=$("$@" 2>/dev/null) || return 1; [[ "$out" == *"$VERSION_WANTED"* ]]; }
check_helm() { VERSION_WANTED="Version:\"${HELM_VERSION}\"" reports "$bin/helm" version; }
check_kind() { VERSION_WANTED="kind ${KIND_VERSION} " reports "$bin/kind" version; }

if [[ "${1:-}" == "--check" ]]; then
  check_helm && check_kind
  exit $?
fi

if ! command -v go >/dev/null 2>&1; then
  echo "error: 'go' not found: install Go >= 1.26 (https://go.dev/doc/install) to build helm and kind" >&2
  exit 1
fi

mkdir -p "$bin"
export CGO_ENABLED=0
start=$(date +%s)

if ! check_helm; then
  log "building helm ${HELM_VERSION}"
  # `go install pkg@version` leaves helm's internal version at its source default ("v3.22") and its
  # default Kubernetes version (used by `helm template` and `helm lint` without a cluster) at v1.20.
  # Stamp both the way helm's Makefile does: the Kubernetes version follows helm's client-go.
  gomod=$(go mod download -json "helm.sh/helm/v3@${HELM_VERSION}" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
  [[ -f "$gomod" ]] || { echo "error: could not download helm.sh/helm/v3@${HELM_VERSION}'s go.mod" >&2; exit 1; }
  client_go=$(sed -n 's#^[[:space:]]*k8s.io/client-go v0\.\([0-9]*\)\..*#\1#p' "$gomod" | head -n1)
  [[ -n "$client_go" ]] || { echo "error: no k8s.io/client-go requirement in $gomod" >&2; exit 1; }
  ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}"
  ldflags+=" -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  for pkg in helm.sh/helm/v3/pkg/chartutil helm.sh/helm/v3/pkg/lint/rules; do
    ldflags+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=${client_go}"
  done
  GOBIN="$bin" go install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}"
  check_helm || { echo "error: helm built but does not report ${HELM_VERSION}" >&2; exit 1; }
fi

if ! check_kind; then
  log "building kind ${KIND_VERSION}"
  GOBIN="$bin" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kind@${KIND_VERSION}"
  check_kind || { echo "error: kind built but does not report ${KIND_VERSION}" >&2; exit 1; }
fi

log "tools ready in $(( $(date +%s) - start ))s: $bin"
echo "$bin"

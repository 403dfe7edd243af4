#!/usr/bin/env bash
# Builds the tools that tests and packaging need from the Go module proxy, at the versions pinned in
# hack/versions.env, and prints a bin/ folder that holds them all (last line on stdout; logs go to
# stderr). A complete cache is reused in well under a second; nothing is written inside the repo.
#
#   hack/build-tools.sh [TOOL…]           build or reuse the named tools (default: all), print BIN
#   hack/build-tools.sh --check [TOOL…]   exit 0 only if the named tools (default: all) are cached
#
#   TOOL: helm, kind, prometheus (prometheus and promtool), actionlint,
#         krew (kubectl-krew and validate-krew-manifest)
#
# Cache layout, under ~/.cache/my-workload-operator/ ($MWO_CACHE_DIR):
#   tool-helm-v3.22.0/helm, tool-kind-v0.33.0/kind, tool-prometheus-v0.316.0/{prometheus,promtool},
#   tool-actionlint-v1.7.12/actionlint, tool-krew-v0.4.3/{kubectl-krew,validate-krew-manifest}
#       one folder per tool and version, so bumping one tool rebuilds only that tool.
#   tools-helm-v3.22.0_kind-v0.33.0_prometheus-v0.316.0_actionlint-v1.7.12_krew-v0.4.3/bin/
#       the printed folder: relative symlinks to the binaries of that version set. It is named by
#       every version, like the control plane's, so a PATH that holds it never changes meaning
#       under a running process when a version is bumped. It links the tools built so far:
#       `build-tools.sh helm` guarantees helm in it, not prometheus.
# A binary counts as cached only if it runs and reports its pinned version; anything less is rebuilt.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=hack/versions.env
source "$here/versions.env"

all_tools=(helm kind prometheus actionlint krew)
cache_root=${MWO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/my-workload-operator}

log() { echo "[build-tools] $*" >&2; }
die() { echo "error: $*" >&2; exit 1; }

# The pinned module version of a tool, and its cache folder.
version_of() {
  case $1 in
    helm) echo "$HELM_VERSION" ;; kind) echo "$KIND_VERSION" ;;
    prometheus) echo "$PROMETHEUS_VERSION" ;; actionlint) echo "$ACTIONLINT_VERSION" ;;
    krew) echo "$KREW_VERSION" ;;
    *) return 1 ;;
  esac
}
dir_of() { echo "$cache_root/tool-$1-$(version_of "$1")"; }
binaries_of() {
  case $1 in
    prometheus) echo prometheus promtool ;; krew) echo kubectl-krew validate-krew-manifest ;; *) echo "$1" ;;
  esac
}

# Module version v0.3MM.P is Prometheus release 3.MM.P (their scheme since 3.0.0 = v0.300.0).
prometheus_release() {
  local v=${PROMETHEUS_VERSION#v0.}
  local mm=${v%%.*}
  echo "$(( 10#$mm / 100 )).$(( 10#$mm % 100 )).${v#*.}"
}

# Each check prints nothing and succeeds only if the binary runs and names the pinned version.
# Output is captured before matching (see build-control-plane.sh: grep -q under pipefail).
reports() { local out; out=$("$@" 2>&1) || return 1; [[ "$out" == *"$VERSION_WANTED"* ]]; }
# `krew version` prints a table row `GitTag   v0.4.3`. It creates the folders of its KREW_ROOT, so it
# gets a throwaway one, and KREW_NO_UPGRADE_CHECK keeps it off GitHub's API.
krew_reports() {
  local root out rc=0
  root=$(mktemp -d)
  out=$(KREW_ROOT=$root KREW_NO_UPGRADE_CHECK=1 "$1" version 2>&1) || rc=1
  rm -rf "$root"
  [[ $rc == 0 && "$out" =~ GitTag[[:space:]]+${KREW_VERSION}[[:space:]] ]]
}
check() {
  local d; d=$(dir_of "$1")
  case $1 in
    helm) VERSION_WANTED="Version:\"${HELM_VERSION}\"" reports "$d/helm" version ;;
    kind) VERSION_WANTED="kind ${KIND_VERSION} " reports "$d/kind" version ;;
    # Both print "<name>, version 3.16.0 (branch: …" once stamped (see build_prometheus).
    prometheus)
      VERSION_WANTED="prometheus, version $(prometheus_release) (" reports "$d/prometheus" --version &&
        VERSION_WANTED="promtool, version $(prometheus_release) (" reports "$d/promtool" --version ;;
    actionlint) VERSION_WANTED="${ACTIONLINT_VERSION}" reports "$d/actionlint" -version ;;
    # validate-krew-manifest has no version flag: it is built with kubectl-krew and must be there.
    krew) krew_reports "$d/kubectl-krew" && [[ -x "$d/validate-krew-manifest" ]] ;;
  esac
}

# `go mod download -json` field of module@version (a local path), e.g. GoMod or Dir.
module_file() {
  go mod download -json "$2" | sed -n "s/^[[:space:]]*\"$1\": \"\(.*\)\",\{0,1\}$/\1/p"
}

build_helm() {
  # `go install pkg@version` leaves helm's internal version at its source default ("v3.22") and its
  # default Kubernetes version (used by `helm template` and `helm lint` without a cluster) at v1.20.
  # Stamp both the way helm's Makefile does: the Kubernetes version follows helm's client-go.
  local gomod client_go ldflags pkg
  gomod=$(module_file GoMod "helm.sh/helm/v3@${HELM_VERSION}")
  [[ -f "$gomod" ]] || die "could not download helm.sh/helm/v3@${HELM_VERSION}'s go.mod"
  client_go=$(sed -n 's#^[[:space:]]*k8s.io/client-go v0\.\([0-9]*\)\..*#\1#p' "$gomod" | head -n1)
  [[ -n "$client_go" ]] || die "no k8s.io/client-go requirement in $gomod"
  ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}"
  ldflags+=" -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  for pkg in helm.sh/helm/v3/pkg/chartutil helm.sh/helm/v3/pkg/lint/rules; do
    ldflags+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=${client_go}"
  done
  GOBIN="$1" go install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}"
}

build_kind() {
  GOBIN="$1" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kind@${KIND_VERSION}"
}

build_prometheus() {
  # A plain `go install` leaves prometheus/common's version fields empty; stamp the release the way
  # Prometheus' .promu.yml does, after checking the module's VERSION file agrees with our mapping.
  # Not built: the `builtinassets` tag, which embeds a web UI the module zip does not contain
  # (tests use the HTTP API only).
  local mod="github.com/prometheus/prometheus" dir release
  release=$(prometheus_release)
  dir=$(module_file Dir "${mod}@${PROMETHEUS_VERSION}")
  [[ "$(cat "$dir/VERSION" 2>/dev/null)" == "$release" ]] ||
    die "${mod}@${PROMETHEUS_VERSION} is not Prometheus $release (its VERSION file: $(cat "$dir/VERSION" 2>/dev/null))"
  GOBIN="$1" go install -trimpath -ldflags "-s -w -X github.com/prometheus/common/version.Version=${release}" \
    "${mod}/cmd/prometheus@${PROMETHEUS_VERSION}" "${mod}/cmd/promtool@${PROMETHEUS_VERSION}"
}

build_krew() {
  # Named kubectl-krew, as kubectl finds plugins; the version stamped as krew's hack/make-binary.sh
  # does (gitTag; the module zip has no git revision to give gitCommit). Built with `go build` in a
  # throwaway module, since `go install` cannot rename a binary.
  local mod="sigs.k8s.io/krew" tmp
  tmp=$(mktemp -d)
  (
    cd "$tmp" && go mod init local/krew-build >/dev/null 2>&1 &&
      go get "${mod}/cmd/krew@${KREW_VERSION}" "${mod}/cmd/validate-krew-manifest@${KREW_VERSION}" 2>get.log || { cat get.log >&2; exit 1; }
    go build -trimpath -ldflags "-s -w -X ${mod}/internal/version.gitTag=${KREW_VERSION}" -o "$1/kubectl-krew" "${mod}/cmd/krew" &&
      go build -trimpath -ldflags "-s -w" -o "$1/validate-krew-manifest" "${mod}/cmd/validate-krew-manifest"
  )
  local rc=$?
  rm -rf "$tmp"
  return $rc
}

build_actionlint() {
  # actionlint reads its version from the module build info, which `go install m@v` records.
  GOBIN="$1" go install -trimpath -ldflags "-s -w" "github.com/rhysd/actionlint/cmd/actionlint@${ACTIONLINT_VERSION}"
}

# What a failed build needs: the Go version the tool's go.mod asks for.
needs_go() {
  local mod gomod
  case $1 in
    helm) mod="helm.sh/helm/v3@${HELM_VERSION}" ;; kind) mod="sigs.k8s.io/kind@${KIND_VERSION}" ;;
    prometheus) mod="github.com/prometheus/prometheus@${PROMETHEUS_VERSION}" ;;
    actionlint) mod="github.com/rhysd/actionlint@${ACTIONLINT_VERSION}" ;;
    krew) mod="sigs.k8s.io/krew@${KREW_VERSION}" ;;
  esac
  gomod=$(module_file GoMod "$mod" 2>/dev/null) && sed -n 's/^go \([0-9.]*\)$/Go >= \1/p' "$gomod"
}

check_mode=false
if [[ "${1:-}" == "--check" ]]; then check_mode=true; shift; fi
tools=("$@")
[[ ${#tools[@]} -gt 0 ]] || tools=("${all_tools[@]}")
for tool in "${tools[@]}"; do
  version_of "$tool" >/dev/null || die "unknown tool '$tool' (known: ${all_tools[*]})"
done

if $check_mode; then
  for tool in "${tools[@]}"; do check "$tool" || exit 1; done
  exit 0
fi

export CGO_ENABLED=0
start=$(date +%s)
for tool in "${tools[@]}"; do
  check "$tool" && continue
  command -v go >/dev/null 2>&1 ||
    die "'go' not found: install Go >= 1.26 (https://go.dev/doc/install) to build $tool $(version_of "$tool")"
  dir=$(dir_of "$tool")
  log "building $tool $(version_of "$tool")"
  t0=$(date +%s)
  rm -rf "$dir" && mkdir -p "$dir"
  # A failed build leaves no folder behind, so the bin folder never links half a tool.
  if ! "build_$tool" "$dir"; then
    rm -rf "$dir"
    die "building $tool $(version_of "$tool") failed (see above); it needs $(needs_go "$tool") ($(go version))"
  fi
  check "$tool" || { rm -rf "$dir"; die "$tool built but does not report $(version_of "$tool")"; }
  log "built $tool $(version_of "$tool") in $(( $(date +%s) - t0 ))s"
done

# The printed folder links every tool of this version set that is cached (the named ones at least).
key=tools sep=-
for tool in "${all_tools[@]}"; do key+="${sep}${tool}-$(version_of "$tool")"; sep=_; done
bin="$cache_root/$key/bin"
mkdir -p "$bin"
for tool in "${all_tools[@]}"; do
  for b in $(binaries_of "$tool"); do
    target="../../$(basename "$(dir_of "$tool")")/$b"
    if [[ -x "$bin/$target" ]]; then ln -sfn "$target" "$bin/$b"; fi
  done
done

log "tools ready in $(( $(date +%s) - start ))s: $bin"
echo "$bin"

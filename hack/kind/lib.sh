# shellcheck shell=bash
# What hack/kind-up.sh and hack/kind-e2e.sh share, sourced by both so they cannot drift apart: the
# pinned versions, kind and helm, creating or reusing a cluster, building and loading the
# operator image, installing the chart. Not a script of its own.
#
# Callers set MWO_TAG (log prefix), then call mwo_tools, and set MWO_KUBECONFIG (a kubeconfig
# file; empty = kind's default, ~/.kube/config) and MWO_CONTEXT before the mwo_kube* functions.

mwo_lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mwo_root=$(cd "$mwo_lib/../.." && pwd)

mwo_log() { echo "[${MWO_TAG:-kind}] $*" >&2; }
mwo_die() { echo "error: $*" >&2; exit 1; }

# Versions come from hack/versions.env and hack/kind/node-image.env. A caller's environment may
# name them too (the CI workflow does, to show them): a value that differs is refused rather than
# silently replaced, so the workflow and the files cannot disagree. KIND_NODE_IMAGE alone may be
# overridden (--node-image does the same), to try another image.
mwo_pinned=()
for mwo_var in KIND_VERSION KWOK_VERSION; do mwo_pinned+=("$mwo_var=${!mwo_var:-}"); done
mwo_node_image_override=${KIND_NODE_IMAGE:-}
# shellcheck source=hack/versions.env
source "$mwo_root/hack/versions.env"
# shellcheck source=hack/kind/node-image.env
source "$mwo_lib/node-image.env"
for mwo_pin in "${mwo_pinned[@]}"; do
  mwo_var=${mwo_pin%%=*}
  mwo_want=${mwo_pin#*=}
  if [[ -n "$mwo_want" && "$mwo_want" != "${!mwo_var}" ]]; then
    mwo_die "the environment pins $mwo_var=$mwo_want, hack/versions.env has ${!mwo_var}: make them equal"
  fi
done
KIND_NODE_IMAGE=${mwo_node_image_override:-$KIND_NODE_IMAGE}

mwo_require_docker() {
  if ! command -v docker >/dev/null 2>&1 || ! docker info >/dev/null 2>&1; then
    echo "error: this needs a running Docker engine ('docker info' fails). Without Docker, use the local" >&2
    echo "       control plane instead: npm run demo, npm test (see README.md)." >&2
    exit 1
  fi
}

# Sets KIND and HELM. "path-first": a kind and helm on PATH win (a developer's own); "pinned": always
# KIND_VERSION and HELM_VERSION from hack/build-tools.sh (built from the Go module proxy, cached), as CI.
mwo_tools() {
  local mode=$1 tools="" t
  for t in kind helm; do
    local found=""
    if [[ "$mode" == path-first ]] && command -v "$t" >/dev/null 2>&1; then
      found=$(command -v "$t")
    else
      if [[ -z "$tools" ]]; then
        mwo_log "kind and helm from hack/build-tools.sh (the first build takes a few minutes, needs Go)"
        tools=$("$mwo_root/hack/build-tools.sh" helm kind | tail -n1)
      fi
      found="$tools/$t"
    fi
    [[ -x "$found" ]] || mwo_die "no $t at $found"
    if [[ $t == kind ]]; then KIND=$found; else HELM=$found; fi
  done
}

# kubectl against the cluster: $KUBECTL if set, else kubectl on PATH, else the one inside the kind
# control-plane node (manifests on stdin only; it cannot read host files).
mwo_kube() {
  local args=(--context "$MWO_CONTEXT")
  [[ -n "${MWO_KUBECONFIG:-}" ]] && args+=(--kubeconfig "$MWO_KUBECONFIG")
  if [[ -n "${KUBECTL:-}" ]]; then
    "$KUBECTL" "${args[@]}" "$@"
  elif command -v kubectl >/dev/null 2>&1; then
    kubectl "${args[@]}" "$@"
  else
    docker exec -i "${MWO_CONTEXT#kind-}-control-plane" kubectl --kubeconfig /etc/kubernetes/admin.conf "$@"
  fi
}

# Creates kind cluster NAME from CONFIG with KIND_NODE_IMAGE, or reuses it. Writes its kubeconfig to
# MWO_KUBECONFIG (kind's default when empty) and sets MWO_CONTEXT.
mwo_kind_cluster() {
  local name=$1 config=$2 clusters
  # An empty array is "unbound" to bash < 4.4 (macOS's 3.2) under set -u: hence the ${where[@]+…}.
  local where=()
  [[ -n "${MWO_KUBECONFIG:-}" ]] && where=(--kubeconfig "$MWO_KUBECONFIG")
  clusters=$("$KIND" get clusters 2>/dev/null || true)
  if grep -qx "$name" <<<"$clusters"; then
    mwo_log "reusing kind cluster $name"
    "$KIND" export kubeconfig --name "$name" ${where[@]+"${where[@]}"} >/dev/null 2>&1 || mwo_die "kind export kubeconfig --name $name failed"
  else
    mwo_log "creating kind cluster $name ($(basename "$config"), $KIND_NODE_IMAGE)"
    "$KIND" create cluster --name "$name" --config "$config" --image "$KIND_NODE_IMAGE" --wait 3m ${where[@]+"${where[@]}"}
  fi
  MWO_CONTEXT="kind-$name"
}

# docker build of IMAGE (REPO:TAG) from the Dockerfile, loaded into kind cluster NAME. Sets IMAGE_ID.
mwo_build_image() {
  local image=$1 name=$2 version revision
  version=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$mwo_root/deploy/helm/my-workload-operator/Chart.yaml")
  revision=$(git -C "$mwo_root" rev-parse --short HEAD 2>/dev/null || echo unknown)
  mwo_log "building $image"
  docker build --build-arg "VERSION=$version" --build-arg "REVISION=$revision" -t "$image" "$mwo_root"
  mwo_log "loading $image into the nodes of $name"
  "$KIND" load docker-image "$image" --name "$name"
  IMAGE_ID=$(docker image inspect --format '{{.Id}}' "$image")
}

# helm upgrade --install of the chart as release my-workload-operator in namespace
# my-workload-operator (restricted Pod Security), image IMAGE; more helm arguments after it.
mwo_helm_install() {
  local image=$1
  shift
  local args=(--kube-context "$MWO_CONTEXT")
  [[ -n "${MWO_KUBECONFIG:-}" ]] && args+=(--kubeconfig "$MWO_KUBECONFIG")
  mwo_log "installing the chart into namespace my-workload-operator"
  mwo_kube apply -f - <"$mwo_root/deploy/manifests/namespace.yaml"
  # The image ID as a pod annotation: a rebuilt image under the same tag rolls the Deployment.
  "$HELM" upgrade --install my-workload-operator "$mwo_root/deploy/helm/my-workload-operator" "${args[@]}" \
    --namespace my-workload-operator \
    --set image.repository="${image%:*}" --set image.tag="${image##*:}" --set image.pullPolicy=IfNotPresent \
    --set-string "podAnnotations.apps\.my\.dev/image-id=${IMAGE_ID#sha256:}" \
    "$@" --wait --timeout 5m
}

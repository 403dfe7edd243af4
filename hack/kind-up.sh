#!/usr/bin/env bash
# The path for a laptop with Docker: a kind cluster running the operator from this checkout,
# installed the way users install it (the Helm chart, the image built from the Dockerfile).
#
#   hack/kind-up.sh [--name NAME] [--image REPO:TAG] [--node-image IMAGE]
#
#   1. creates kind cluster NAME (default mwo; hack/kind/cluster.yaml: 1 control plane + 2 workers),
#      or reuses it
#   2. docker build → REPO:TAG (default my-workload-operator:dev), kind load docker-image
#   3. helm upgrade --install the chart into namespace my-workload-operator (restricted Pod Security)
#   4. applies examples/ if present, prints next steps
#
# helm and kind come from PATH, else from hack/build-tools.sh (built from the Go module proxy and
# cached). kubectl comes from PATH, else runs inside the kind control-plane container.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

name=mwo
image=my-workload-operator:dev
node_image=${KIND_NODE_IMAGE:-}
namespace=my-workload-operator
release=my-workload-operator
while [[ $# -gt 0 ]]; do
  case "$1" in
    --name) name=$2; shift 2 ;;
    --image) image=$2; shift 2 ;;
    --node-image) node_image=$2; shift 2 ;;
    -h|--help) sed -n '2,15s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "error: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$image" == *:* ]] || { echo "error: --image must be REPO:TAG" >&2; exit 2; }
repo=${image%:*}
tag=${image##*:}

log() { echo "[kind-up] $*" >&2; }

if ! command -v docker >/dev/null 2>&1 || ! docker info >/dev/null 2>&1; then
  echo "error: this needs a running Docker engine ('docker info' fails). Without Docker, use the local" >&2
  echo "       control plane instead: npm run demo (see README.md)." >&2
  exit 1
fi

tools=""
tool() {
  if command -v "$1" >/dev/null 2>&1; then command -v "$1"; return; fi
  if [[ -z "$tools" ]]; then
    log "$1 is not on PATH: using hack/build-tools.sh (first build takes a few minutes, needs Go)"
    tools=$("$here/build-tools.sh")
  fi
  echo "$tools/$1"
}
kind=$(tool kind)
helm=$(tool helm)
context="kind-$name"

# kubectl on PATH, else the one in the control-plane node (reads manifests from stdin).
kube() {
  if command -v kubectl >/dev/null 2>&1; then
    kubectl --context "$context" "$@"
  else
    docker exec -i "$name-control-plane" kubectl --kubeconfig /etc/kubernetes/admin.conf "$@"
  fi
}

clusters=$("$kind" get clusters 2>/dev/null || true)
if grep -qx "$name" <<<"$clusters"; then
  log "reusing kind cluster $name"
else
  log "creating kind cluster $name (1 control plane, 2 workers)"
  args=(create cluster --name "$name" --config "$here/kind/cluster.yaml" --wait 3m)
  [[ -n "$node_image" ]] && args+=(--image "$node_image")
  "$kind" "${args[@]}"
fi
# `kind create` writes the context into the default kubeconfig; export it again for a reused cluster.
"$kind" export kubeconfig --name "$name" >/dev/null 2>&1 || true

version=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$root/deploy/helm/my-workload-operator/Chart.yaml")
revision=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
log "building $image"
docker build --build-arg "VERSION=$version" --build-arg "REVISION=$revision" -t "$image" "$root"
log "loading $image into the cluster's nodes"
"$kind" load docker-image "$image" --name "$name"
image_id=$(docker image inspect --format '{{.Id}}' "$image")

log "installing the chart into namespace $namespace"
kube apply -f - < "$root/deploy/manifests/namespace.yaml"
# The image ID as a pod annotation: a rebuilt image under the same tag rolls the Deployment.
"$helm" upgrade --install "$release" "$root/deploy/helm/my-workload-operator" \
  --kube-context "$context" --namespace "$namespace" \
  --set image.repository="$repo" --set image.tag="$tag" --set image.pullPolicy=IfNotPresent \
  --set-string "podAnnotations.apps\.my\.dev/image-id=${image_id#sha256:}" \
  --wait --timeout 5m

if [[ -d "$root/examples" ]] && compgen -G "$root/examples/*.yaml" >/dev/null; then
  log "applying examples/"
  for f in "$root"/examples/*.yaml; do kube apply -f - < "$f"; done
fi

cat >&2 <<NEXT

[kind-up] ready: kind cluster '$name', operator $image in namespace $namespace.

  kubectl config use-context $context
  kubectl -n $namespace get pods,lease
  kubectl -n $namespace logs deployment/$release -f
  kubectl get mds,msts -A

After a code change, run hack/kind-up.sh again (same arguments): it rebuilds, reloads and rolls out the image.
Remove everything with: $kind delete cluster --name $name
NEXT

#!/usr/bin/env bash
# The path for a laptop with Docker: a kind cluster running the operator from this checkout,
# installed the way users install it (the Helm chart, the image built from the Dockerfile).
#
#   hack/kind-up.sh [--name NAME] [--image REPO:TAG] [--node-image IMAGE]
#
#   1. creates kind cluster NAME (default mwo; hack/kind/cluster.yaml: 1 control plane + 2 workers)
#      from the node image pinned in hack/kind/node-image.env (Kubernetes v1.36), or reuses it
#   2. docker build → REPO:TAG (default my-workload-operator:dev), kind load docker-image
#   3. helm upgrade --install the chart into namespace my-workload-operator (restricted Pod Security)
#   4. applies examples/ if present, prints next steps
#
# helm and kind come from PATH, else from hack/build-tools.sh (built from the Go module proxy and
# cached). kubectl comes from PATH, else runs inside the kind control-plane container.
# hack/kind-e2e.sh builds the e2e tests' kind cluster from the same pieces (hack/kind/lib.sh).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MWO_TAG=kind-up
# shellcheck source=hack/kind/lib.sh
source "$here/kind/lib.sh"

name=mwo
image=my-workload-operator:dev
while [[ $# -gt 0 ]]; do
  case "$1" in
    --name) name=$2; shift 2 ;;
    --image) image=$2; shift 2 ;;
    --node-image) KIND_NODE_IMAGE=$2; shift 2 ;;
    -h|--help) sed -n '2,16s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) mwo_die "unknown argument $1 (see --help)" ;;
  esac
done
[[ "$image" == *:* ]] || mwo_die "--image must be REPO:TAG"

mwo_require_docker
mwo_tools path-first
# The default kubeconfig: kind create writes context kind-NAME there, for the commands printed below.
MWO_KUBECONFIG=""
mwo_kind_cluster "$name" "$here/kind/cluster.yaml"
mwo_build_image "$image" "$name"
mwo_helm_install "$image"

if [[ -d "$mwo_root/examples" ]] && compgen -G "$mwo_root/examples/*.yaml" >/dev/null; then
  mwo_log "applying examples/"
  for f in "$mwo_root"/examples/*.yaml; do mwo_kube apply -f - <"$f"; done
fi

cat >&2 <<NEXT

[kind-up] ready: kind cluster '$name', operator $image in namespace my-workload-operator.

  kubectl config use-context $MWO_CONTEXT
  kubectl -n my-workload-operator get pods,lease
  kubectl -n my-workload-operator logs deployment/my-workload-operator -f
  kubectl get mds,msts -A

After a code change, run hack/kind-up.sh again (same arguments): it rebuilds, reloads and rolls out the image.
Remove everything with: $KIND delete cluster --name $name
NEXT

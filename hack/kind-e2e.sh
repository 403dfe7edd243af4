#!/usr/bin/env bash
# The e2e tests' kind cluster, as the CI workflow's kind job builds it (run it on any machine with
# Docker and Go): the operator installed the way users install it, on a cluster whose workers are
# KWOK fake nodes shaped and staged like the local control plane's.
#
#   hack/kind-e2e.sh [--name NAME] [--nodes N] [--image REPO:TAG] [--node-image IMAGE]
#   E2E_KUBECONFIG=.kind/NAME/kubeconfig E2E_OPERATOR=external npm run test:e2e
#   hack/kind-e2e.sh [--name NAME] --logs DIR      the cluster's logs, for a failed run
#
#   1. kind cluster NAME (default mwo-e2e; hack/kind/e2e-cluster.yaml: one real node) from the node
#      image of hack/kind/node-image.env, or reuses it; kubeconfig in .kind/NAME/kubeconfig
#   2. taints the real node e2e.my.dev/real-node=true:NoSchedule: test pods go to fake nodes only
#   3. the kwok controller at KWOK_VERSION (the module's kustomize/kwok, as its release manifest is
#      built, placed on the real node: hack/kind/kwok-placement.yaml)
#   4. hack/kwok-setup.ts: the Stages of hack/kwok/kwokctl.yaml and N fake workers (default 4) plus
#      the fake `control-plane` node, waited on until schedulable
#   5. docker build → REPO:TAG (default my-workload-operator:dev), kind load, helm upgrade --install
#      with hack/kind/e2e-values.yaml (the operator on the real node)
#
# kind and helm are always the pinned ones (hack/build-tools.sh), and kubectl the control plane
# build's (hack/build-control-plane.sh), which the e2e runner uses too. Needs `npm ci` first.
set -euo pipefail
# Everything goes to stderr; stdout gets only the kubeconfig path, last (like hack/build-*.sh).
exec 3>&1 1>&2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MWO_TAG=kind-e2e
# shellcheck source=hack/kind/lib.sh
source "$here/kind/lib.sh"

name=mwo-e2e
nodes=4
image=my-workload-operator:dev
logs=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --name) name=$2; shift 2 ;;
    --nodes) nodes=$2; shift 2 ;;
    --image) image=$2; shift 2 ;;
    --node-image) KIND_NODE_IMAGE=$2; shift 2 ;;
    --logs) logs=$2; shift 2 ;;
    -h|--help) sed -n '2,21s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&3; exit 0 ;;
    *) mwo_die "unknown argument $1 (see --help)" ;;
  esac
done
[[ "$image" == *:* ]] || mwo_die "--image must be REPO:TAG"
[[ "$nodes" =~ ^[1-9][0-9]*$ ]] || mwo_die "--nodes must be a positive number"
node=$mwo_root/node_modules/.bin/node
[[ -x "$node" ]] || mwo_die "run npm ci first (hack/kwok-setup.ts runs on the project's Node.js)"

mwo_require_docker
mwo_tools pinned
KUBECTL=$("$here/build-control-plane.sh" | tail -n1)/kubectl
MWO_KUBECONFIG=$mwo_root/.kind/$name/kubeconfig
MWO_CONTEXT=kind-$name
real=e2e.my.dev/real-node

if [[ -n "$logs" ]]; then
  # kind's export holds every container's log (/var/log/pods: the operator, kwok), the kubelet's
  # and the control plane's; the object listing says where things stood.
  mkdir -p "$logs"
  "$KIND" export logs "$logs" --name "$name" || true
  mwo_kube get nodes,pods,mds,msts -A -o wide >"$logs/objects.txt" 2>&1 || true
  mwo_kube get events -A --sort-by=.lastTimestamp >"$logs/events.txt" 2>&1 || true
  exit 0
fi

mkdir -p "$(dirname "$MWO_KUBECONFIG")"
mwo_kind_cluster "$name" "$here/kind/e2e-cluster.yaml"

# Taint once kind's add-ons run on the real node: NoSchedule keeps new pods off it and leaves those
# alone. Every e2e pod tolerates only its own taints (none tolerates everything), so none lands
# there; the kwok controller and the operator tolerate this taint and select the label.
mwo_kube -n kube-system rollout status deployment/coredns --timeout 3m
mwo_kube -n local-path-storage rollout status deployment/local-path-provisioner --timeout 3m
mwo_kube taint nodes -l "$real=true" "$real=true:NoSchedule" --overwrite

mwo_log "kwok controller $KWOK_VERSION"
kwok_module=$(cd "${TMPDIR:-/tmp}" && go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
[[ -d "$kwok_module/kustomize/kwok" ]] || mwo_die "go mod download sigs.k8s.io/kwok@$KWOK_VERSION gave no kustomize/kwok"
overlay=$(mktemp -d)
trap 'rm -rf "$overlay"' EXIT
cp "$here/kind/kwok-placement.yaml" "$overlay/"
# kustomize takes no absolute path as a base: reach the module (read-only) through a link.
ln -s "$kwok_module/kustomize" "$overlay/kwok"
# Generated, not kept in the repo, because it carries the pinned version. kwok's release manifest
# (kwok.yaml) is this same base with the image tag set (the module's hack/manifests.sh).
cat >"$overlay/kustomization.yaml" <<KUSTOMIZATION
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - kwok/kwok
images:
  - name: registry.k8s.io/kwok/kwok
    newTag: $KWOK_VERSION
patches:
  - path: kwok-placement.yaml
KUSTOMIZATION
"$KUBECTL" kustomize "$overlay" | mwo_kube apply --server-side --force-conflicts -f -
mwo_kube wait --for condition=Established crd/stages.kwok.x-k8s.io --timeout 60s
mwo_kube -n kube-system rollout status deployment/kwok-controller --timeout 3m

mwo_log "Stages and fake nodes"
"$node" "$here/kwok-setup.ts" --kubeconfig "$MWO_KUBECONFIG" --nodes "$nodes"

mwo_build_image "$image" "$name"
mwo_helm_install "$image" --values "$here/kind/e2e-values.yaml"

mwo_log "ready: E2E_KUBECONFIG=${MWO_KUBECONFIG#"$mwo_root"/} E2E_OPERATOR=external npm run test:e2e"
echo "$MWO_KUBECONFIG" >&3

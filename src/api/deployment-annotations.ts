// The well-known keys a Deployment, its ReplicaSets and their pods carry (apps/v1 names, kept for
// MyDeployment and MyReplicaSet so that kubectl users and their tooling read them unchanged).
// Here, in the API layer, because the controller, the kubectl plugin, the admission webhook and the
// tests all name them.
// upstream: pkg/controller/deployment/util/deployment_util.go (RevisionAnnotation, …),
// staging/src/k8s.io/api/apps/v1/types.go (DefaultDeploymentUniqueLabelKey, DeprecatedRollbackTo).

export const revisionAnnotation = 'deployment.kubernetes.io/revision';
export const revisionHistoryAnnotation = 'deployment.kubernetes.io/revision-history';
export const desiredReplicasAnnotation = 'deployment.kubernetes.io/desired-replicas';
export const maxReplicasAnnotation = 'deployment.kubernetes.io/max-replicas';
/** apps.DeprecatedRollbackTo: how `kubectl rollout undo` of old asked the controller for a rollback. */
export const rollbackToAnnotation = 'deprecated.deployment.rollback.to';
export const changeCauseAnnotation = 'kubernetes.io/change-cause';
export const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';
/** apps/v1 DefaultDeploymentUniqueLabelKey: on a Deployment's ReplicaSets, their selectors and pods. */
export const podTemplateHashLabel = 'pod-template-hash';

// The API server's audit log as evidence of who did what: the local kube-apiserver restarted with
// an audit policy (kube-apiserver --audit-policy-file, log backend in its default blocking mode),
// then the log read back. Who deleted a pod first (the operator, or kwok's pod-delete stage
// repeating a delete by name, spec: control-plane.md) and which writes a replica made while it was
// a standby cannot be told from a watch; the audit log records each request's user agent, and the
// operator puts its leader-election identity in its own (src/main.ts).
import { readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { clusterDir } from '../../../hack/cluster.ts';
import { isRecord } from '../../../src/api/meta.ts';
import { restartApiServer } from './control-plane.ts';

const policyFile = path.join(clusterDir, 'audit-policy.yaml');
export const auditLogFile = path.join(clusterDir, 'audit.log');

/**
 * Pod deletions with their responses (the pod, so its UID); every other write (Events included: a
 * standby must not record any) at Metadata level; nothing for reads, the nodes, and the node and
 * control-plane leases renewed every few seconds.
 */
const policy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    namespaces: [kube-node-lease, kube-system]
  - level: None
    resources: [{ group: "", resources: [nodes, nodes/status] }]
  - level: RequestResponse
    verbs: [delete]
    resources: [{ group: "", resources: [pods] }]
  - level: Metadata
    verbs: [create, update, patch, delete, deletecollection]
  - level: None
`;

/** The flags restartApiServer needs to keep auditing (pass them to every restart while it should). */
export const auditFlags: readonly string[] = [`--audit-policy-file=${policyFile}`, `--audit-log-path=${auditLogFile}`, '--audit-log-maxsize=0'];

/** Restarts kube-apiserver auditing to auditLogFile; returns the log's length before, where this run's entries start. */
export async function startAuditing(): Promise<number> {
  writeFileSync(policyFile, policy);
  await restartApiServer(auditFlags);
  return existsSync(auditLogFile) ? statSync(auditLogFile).size : 0;
}

/** Restarts kube-apiserver as kwokctl started it, without auditing. */
export async function stopAuditing(): Promise<void> {
  await restartApiServer();
}

export interface AuditEvent {
  readonly verb: string;
  readonly userAgent: string;
  readonly code: number;
  readonly resource: string;
  readonly subresource: string | undefined;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  /** When the request arrived (ms). */
  readonly receivedAt: number;
  /** The same, as logged (RFC 3339 with microseconds, UTC): sorts in arrival order. */
  readonly received: string;
  /** The response's metadata.uid, for the requests logged with their responses. */
  readonly responseUid: string | undefined;
}

/** The audit entries from byte `from` on, in the order the server finished them. */
export function readAudit(from = 0): AuditEvent[] {
  if (!existsSync(auditLogFile)) return [];
  const text = readFileSync(auditLogFile).subarray(from).toString('utf8');
  const out: AuditEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const e: unknown = JSON.parse(line);
    if (!isRecord(e)) continue;
    const ref = isRecord(e.objectRef) ? e.objectRef : {};
    const text = (v: unknown): string => (typeof v === 'string' ? v : '');
    const status = isRecord(e.responseStatus) ? e.responseStatus : {};
    const response = isRecord(e.responseObject) && isRecord(e.responseObject.metadata) ? e.responseObject.metadata : {};
    out.push({
      verb: text(e.verb),
      userAgent: text(e.userAgent),
      code: Number(status.code ?? 0),
      resource: text(ref.resource),
      subresource: typeof ref.subresource === 'string' ? ref.subresource : undefined,
      namespace: typeof ref.namespace === 'string' ? ref.namespace : undefined,
      name: typeof ref.name === 'string' ? ref.name : undefined,
      receivedAt: Date.parse(text(e.requestReceivedTimestamp)),
      received: text(e.requestReceivedTimestamp),
      responseUid: typeof response.uid === 'string' ? response.uid : undefined,
    });
  }
  return out;
}

/** The operator's requests carry `my-workload-operator (IDENTITY)`. */
export function isOperatorAgent(userAgent: string, identity?: string): boolean {
  return identity === undefined ? userAgent.startsWith('my-workload-operator') : userAgent.startsWith(`my-workload-operator (${identity})`);
}

/**
 * Pods of `namespace` whose first successful delete (by arrival) came from someone other than the operator
 * (kwok's pod-delete stage repeating a delete by name): UID → that client's user agent.
 */
export function podsDeletedByOthers(events: readonly AuditEvent[], namespace: string): Map<string, string> {
  const first = new Map<string, string>();
  // By arrival: the log is in order of completion, and the delete that began a termination can
  // finish after the one that ended it.
  for (const e of [...events].sort((a, b) => (a.received < b.received ? -1 : a.received > b.received ? 1 : 0))) {
    if (e.verb !== 'delete' || e.resource !== 'pods' || e.subresource !== undefined || e.namespace !== namespace) continue;
    if (e.code < 200 || e.code >= 300 || e.responseUid === undefined || first.has(e.responseUid)) continue;
    first.set(e.responseUid, e.userAgent);
  }
  return new Map([...first].filter(([, agent]) => !isOperatorAgent(agent)));
}

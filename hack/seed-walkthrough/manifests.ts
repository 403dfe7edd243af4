// The repository's examples, moved into a walkthrough namespace: the seeds' objects live in
// kube-system, default or their own namespace, and the walkthrough must touch none of the demo's.
// Pure (text in, text out); the caller reads examples/ and writes the section's folder.
import { parseAllDocuments, stringify } from 'yaml';
import { isRecord } from '../../src/api/meta.ts';

function documents(text: string, where: string): Record<string, unknown>[] {
  return parseAllDocuments(text).map((doc, i) => {
    const value: unknown = doc.toJS();
    if (!isRecord(value)) throw new Error(`${where}: document ${i} is not an object`);
    return value;
  });
}

function render(docs: readonly Record<string, unknown>[]): string {
  return docs.map((d) => stringify(d)).join('---\n');
}

/** The example with its Namespace objects dropped and every other object's namespace set to `namespace`. */
export function moveToNamespace(example: string, namespace: string, where: string): string {
  return render(
    documents(example, where)
      .filter((d) => d.kind !== 'Namespace')
      .map((d) => ({ ...d, metadata: { ...(isRecord(d.metadata) ? d.metadata : {}), namespace } })),
  );
}

/** The name of the walkthrough's volume for `claim` (www-web-0 → walkthrough-000-www-web-0). */
export function volumeName(namespace: string, claim: string): string {
  return `${namespace}-${claim}`;
}

/**
 * examples/web-pvs.yaml's first volume, once per claim, renamed for the namespace and pre-bound to
 * the claim (spec.claimRef): the binder gives a claim the volume that names it before any other,
 * so the claims never take the demo's Available volumes of the same StorageClass.
 * upstream: pkg/controller/volume/persistentvolume/index.go findByClaim (pre-bound volumes first).
 */
export function preboundVolumes(example: string, namespace: string, claims: readonly string[], where: string): string {
  const template = documents(example, where)[0];
  if (template === undefined || !isRecord(template.spec)) throw new Error(`${where}: no PersistentVolume to copy`);
  const spec = template.spec;
  return render(
    claims.map((claim) => {
      const name = volumeName(namespace, claim);
      return {
        apiVersion: template.apiVersion,
        kind: template.kind,
        metadata: { name, labels: { 'walkthrough-namespace': namespace } },
        spec: {
          ...spec,
          claimRef: { namespace, name: claim },
          hostPath: { path: `/tmp/my-workload-operator/${name}`, type: 'DirectoryOrCreate' },
        },
      };
    }),
  );
}

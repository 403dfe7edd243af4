// A container's `Environment Variables from:` and `Environment:` sections. A template has no pod,
// so a fieldRef shows only its path (kubectl resolves nothing), and a resourceFieldRef shows the
// container's own limit or request.
// upstream: kubectl pkg/describe/describe.go describeContainerEnvFrom, describeContainerEnvVars.
import { flag, items, object, text, type Json } from './json-fields.ts';
import { LEVEL_2, LEVEL_3, type PrefixWriter } from './prefix-writer.ts';
import { containerResourceValue } from './resource-field.ts';

export function describeContainerEnvFrom(container: Json, w: PrefixWriter): void {
  const envFrom = items(container, 'envFrom');
  w.write(LEVEL_2, `Environment Variables from:${envFrom.length === 0 ? '\t<none>' : ''}\n`);
  for (const source of envFrom) {
    const configMapRef = object(source, 'configMapRef');
    const secretRef = object(source, 'secretRef');
    const [from, ref] = configMapRef ? ['ConfigMap', configMapRef] : secretRef ? ['Secret', secretRef] : ['', undefined];
    const name = text(ref, 'name');
    const optional = flag(ref, 'optional');
    const prefix = text(source, 'prefix');
    w.write(LEVEL_3, prefix.length === 0 ? `${name}\t${from}\tOptional: ${optional}\n` : `${name}\t${from} with prefix '${prefix}'\tOptional: ${optional}\n`);
  }
}

export function describeContainerEnvVars(container: Json, w: PrefixWriter): void {
  const env = items(container, 'env');
  w.write(LEVEL_2, `Environment:${env.length === 0 ? '\t<none>' : ''}\n`);
  for (const e of env) {
    const name = text(e, 'name');
    const valueFrom = object(e, 'valueFrom');
    if (valueFrom === undefined) {
      text(e, 'value')
        .split('\n')
        .forEach((line, i) => w.write(LEVEL_3, i === 0 ? `${name}:\t${line}\n` : `\t${line}\n`));
      continue;
    }
    const fieldRef = object(valueFrom, 'fieldRef');
    const resourceFieldRef = object(valueFrom, 'resourceFieldRef');
    const secretKeyRef = object(valueFrom, 'secretKeyRef');
    const configMapKeyRef = object(valueFrom, 'configMapKeyRef');
    if (fieldRef) {
      w.write(LEVEL_3, `${name}:\t (${text(fieldRef, 'apiVersion')}:${text(fieldRef, 'fieldPath')})\n`);
    } else if (resourceFieldRef) {
      const resource = text(resourceFieldRef, 'resource');
      let value = containerResourceValue(resourceFieldRef, container) ?? '';
      // No limit: the container may use what the node has.
      if (value === '0' && (resource === 'limits.cpu' || resource === 'limits.memory')) value = 'node allocatable';
      w.write(LEVEL_3, `${name}:\t${value} (${resource})\n`);
    } else if (secretKeyRef) {
      const optional = flag(secretKeyRef, 'optional');
      w.write(LEVEL_3, `${name}:\t<set to the key '${text(secretKeyRef, 'key')}' in secret '${text(secretKeyRef, 'name')}'>\tOptional: ${optional}\n`);
    } else if (configMapKeyRef) {
      const optional = flag(configMapKeyRef, 'optional');
      w.write(LEVEL_3, `${name}:\t<set to the key '${text(configMapKeyRef, 'key')}' of config map '${text(configMapKeyRef, 'name')}'>\tOptional: ${optional}\n`);
    }
    // Any other source (fileKeyRef) kubectl leaves out: the variable is not listed at all.
  }
}

// The `Volumes:` section of a pod template: each volume's name, then what its source says.
// upstream: kubectl pkg/describe/describe.go describeVolumes and the print*VolumeSource functions
// of the common sources (the in-tree plugins' are in legacy-volume-sources.ts).
import { byteLength, byteSlice, sortedKeys } from './go-format.ts';
import { printEphemeralVolumeSource } from './ephemeral-volume.ts';
import { flag, integer, items, object, present, text, textMap, type Json } from './json-fields.ts';
import * as legacy from './legacy-volume-sources.ts';
import type { SourcePrinter } from './legacy-volume-sources.ts';
import { LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3, type PrefixWriter } from './prefix-writer.ts';
import { displayQuantity } from './quantity-string.ts';
import { typedSource } from './volume-source-lines.ts';

const hostPath: SourcePrinter = (s, w) =>
  typedSource(w, 'HostPath (bare host directory volume)', [
    ['Path:', text(s, 'path')],
    // The API server defaults the type to "" (HostPathUnset), which prints as nothing.
    ['HostPathType:', present(s, 'type') ? text(s, 'type') : '<none>'],
  ]);

const emptyDir: SourcePrinter = (s, w) => {
  const sizeLimit = displayQuantity(s['sizeLimit']);
  const positive = sizeLimit !== undefined && sizeLimit.value.coefficient !== 0n && !sizeLimit.value.negative;
  typedSource(w, "EmptyDir (a temporary directory that shares a pod's lifetime)", [
    ['Medium:', text(s, 'medium')],
    ['SizeLimit:', positive ? sizeLimit.text : '<unset>'],
  ]);
};

const secret: SourcePrinter = (s, w) =>
  typedSource(w, 'Secret (a volume populated by a Secret)', [
    ['SecretName:', text(s, 'secretName')],
    ['Optional:', String(flag(s, 'optional'))],
  ]);

const configMap: SourcePrinter = (s, w) =>
  typedSource(w, 'ConfigMap (a volume populated by a ConfigMap)', [
    ['Name:', text(s, 'name')],
    ['Optional:', String(flag(s, 'optional'))],
  ]);

const persistentVolumeClaim: SourcePrinter = (s, w) =>
  typedSource(w, 'PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)', [
    ['ClaimName:', text(s, 'claimName')],
    ['ReadOnly:', String(flag(s, 'readOnly'))],
  ]);

const downwardAPI: SourcePrinter = (s, w) => {
  w.write(LEVEL_2, 'Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n');
  for (const item of items(s, 'items')) {
    const fieldRef = object(item, 'fieldRef');
    const resourceFieldRef = object(item, 'resourceFieldRef');
    if (fieldRef) w.write(LEVEL_3, `${text(fieldRef, 'fieldPath')} -> ${text(item, 'path')}\n`);
    if (resourceFieldRef) w.write(LEVEL_3, `${text(resourceFieldRef, 'resource')} -> ${text(item, 'path')}\n`);
  }
};

/** Secrets, config maps, the downward API and service account tokens; other projections print nothing. */
const projected: SourcePrinter = (s, w) => {
  w.write(LEVEL_2, 'Type:\tProjected (a volume that contains injected data from multiple sources)\n');
  for (const source of items(s, 'sources')) {
    const projectedSecret = object(source, 'secret');
    const projectedConfigMap = object(source, 'configMap');
    const token = object(source, 'serviceAccountToken');
    if (projectedSecret) {
      w.write(LEVEL_2, `SecretName:\t${text(projectedSecret, 'name')}\n    Optional:\t${flag(projectedSecret, 'optional')}\n`);
    } else if (object(source, 'downwardAPI')) {
      w.write(LEVEL_2, 'DownwardAPI:\ttrue\n');
    } else if (projectedConfigMap) {
      w.write(LEVEL_2, `ConfigMapName:\t${text(projectedConfigMap, 'name')}\n    Optional:\t${flag(projectedConfigMap, 'optional')}\n`);
    } else if (token) {
      // kubectl dereferences expirationSeconds unchecked; the API server defaults it to an hour.
      w.write(LEVEL_2, `TokenExpirationSeconds:\t${present(token, 'expirationSeconds') ? integer(token, 'expirationSeconds') : '3600'}\n`);
    }
  }
};

const maxAttributeLen = 140;

/** printCSIPersistentVolumeAttributesMultiline: every write at level 2, so the continuation lines are indented twice (sic). */
function printCsiVolumeAttributes(w: PrefixWriter, attributes: ReadonlyMap<string, string>): void {
  const initialIndent = '';
  const innerIndent = '\t';
  w.write(LEVEL_2, `${initialIndent}VolumeAttributes:${innerIndent}`);
  if (attributes.size === 0) {
    w.writeLine('<none>');
    return;
  }
  sortedKeys(attributes).forEach((key, i) => {
    if (i !== 0) {
      w.write(LEVEL_2, initialIndent);
      w.write(LEVEL_2, innerIndent);
    }
    const line = `${key}=${attributes.get(key) ?? ''}`;
    w.write(LEVEL_2, byteLength(line) > maxAttributeLen ? `${byteSlice(line, maxAttributeLen)}...\n` : `${line}\n`);
  });
}

const csi: SourcePrinter = (s, w) => {
  typedSource(w, 'CSI (a Container Storage Interface (CSI) volume source)', [
    ['Driver:', text(s, 'driver')],
    ['FSType:', text(s, 'fsType')],
    ['ReadOnly:', String(flag(s, 'readOnly'))],
  ]);
  printCsiVolumeAttributes(w, textMap(s, 'volumeAttributes'));
};

const image: SourcePrinter = (s, w) =>
  typedSource(w, 'Image (a container image or OCI artifact)', [
    ['Reference:', text(s, 'reference')],
    ['PullPolicy:', text(s, 'pullPolicy')],
  ]);

/** The sources in the order kubectl tests for them: the first one set is the one described. */
const sources: readonly (readonly [field: string, print: SourcePrinter])[] = [
  ['hostPath', hostPath],
  ['emptyDir', emptyDir],
  ['gcePersistentDisk', legacy.gcePersistentDisk],
  ['awsElasticBlockStore', legacy.awsElasticBlockStore],
  ['gitRepo', legacy.gitRepo],
  ['secret', secret],
  ['configMap', configMap],
  ['nfs', legacy.nfs],
  ['iscsi', legacy.iscsi],
  ['glusterfs', legacy.glusterfs],
  ['persistentVolumeClaim', persistentVolumeClaim],
  ['ephemeral', printEphemeralVolumeSource],
  ['rbd', legacy.rbd],
  ['quobyte', legacy.quobyte],
  ['downwardAPI', downwardAPI],
  ['azureDisk', legacy.azureDisk],
  ['vsphereVolume', legacy.vsphereVolume],
  ['cinder', legacy.cinder],
  ['photonPersistentDisk', legacy.photonPersistentDisk],
  ['portworxVolume', legacy.portworxVolume],
  ['scaleIO', legacy.scaleIO],
  ['cephfs', legacy.cephfs],
  ['storageos', legacy.storageos],
  ['fc', legacy.fc],
  ['azureFile', legacy.azureFile],
  ['flexVolume', legacy.flexVolume],
  ['flocker', legacy.flocker],
  ['projected', projected],
  ['csi', csi],
  ['image', image],
];

export function describeVolumes(volumes: readonly Json[], w: PrefixWriter, space: string): void {
  if (volumes.length === 0) {
    w.write(LEVEL_0, `${space}Volumes:\t<none>\n`);
    return;
  }
  w.write(LEVEL_0, `${space}Volumes:\n`);
  const nameIndent = space.length > 0 ? ' ' : '';
  for (const volume of volumes) {
    w.write(LEVEL_1, `${nameIndent}${text(volume, 'name')}:\n`);
    const found = sources.find(([field]) => object(volume, field) !== undefined);
    const source = found && object(volume, found[0]);
    if (found && source) found[1](source, w);
    else w.write(LEVEL_1, '<unknown>\n');
  }
}

// An ephemeral volume: the claim template it makes, described as a PVC that does not exist yet
// (no name, namespace or status), nested four spaces deeper, which indents every write, so its
// labels print as `    Labels:\t    a=b` (sic).
// upstream: kubectl pkg/describe/describe.go printEphemeralVolumeSource, printPersistentVolumeClaim
// (isFullPVC false); pkg/util/storage/storage.go GetPersistentVolumeClaimClass.
import { printAnnotationsMultiline, printLabelsMultiline } from './multiline.ts';
import { object, present, struct, text, textMap, type Json } from './json-fields.ts';
import { LEVEL_0, LEVEL_1, LEVEL_2, nestedPrefixWriter, type PrefixWriter } from './prefix-writer.ts';

/** GetPersistentVolumeClaimClass: the beta annotation first, then spec.storageClassName. */
function claimClass(metadata: Json, spec: Json): string {
  const annotations = textMap(metadata, 'annotations');
  const beta = annotations.get('volume.beta.kubernetes.io/storage-class');
  if (beta !== undefined) return beta;
  return text(spec, 'storageClassName');
}

export function printEphemeralVolumeSource(source: Json, outer: PrefixWriter): void {
  outer.write(LEVEL_2, 'Type:\tEphemeralVolume (an inline specification for a volume that gets created and deleted with the pod)\n');
  const claim = object(source, 'volumeClaimTemplate');
  if (claim === undefined) return;
  const w = nestedPrefixWriter(outer, LEVEL_2);
  const metadata = struct(claim, 'metadata');
  const spec = struct(claim, 'spec');
  w.write(LEVEL_0, `StorageClass:\t${claimClass(metadata, spec)}\n`);
  const volumeName = text(spec, 'volumeName');
  w.write(LEVEL_0, `Volume:\t${volumeName}\n`);
  printLabelsMultiline(w, 'Labels', textMap(metadata, 'labels'));
  printAnnotationsMultiline(w, 'Annotations', textMap(metadata, 'annotations'));
  // A bound claim shows its status's capacity, which a template has none of: "0".
  w.write(LEVEL_0, `Capacity:\t${volumeName !== '' ? '0' : ''}\n`);
  w.write(LEVEL_0, 'Access Modes:\t\n');
  if (present(spec, 'volumeMode')) w.write(LEVEL_0, `VolumeMode:\t${text(spec, 'volumeMode')}\n`);
  const dataSource = object(spec, 'dataSource');
  if (dataSource) {
    w.write(LEVEL_0, 'DataSource:\n');
    if (present(dataSource, 'apiGroup')) w.write(LEVEL_1, `APIGroup:\t${text(dataSource, 'apiGroup')}\n`);
    w.write(LEVEL_1, `Kind:\t${text(dataSource, 'kind')}\n`);
    w.write(LEVEL_1, `Name:\t${text(dataSource, 'name')}\n`);
  }
}

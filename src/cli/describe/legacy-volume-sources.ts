// The volume sources of in-tree storage plugins (most deprecated, several removed from the
// kubelet), still part of the pod API and so still described by kubectl.
// upstream: kubectl pkg/describe/describe.go print{GCEPersistentDisk,AWSElasticBlockStore,GitRepo,
// NFS,ISCSI,Glusterfs,RBD,Quobyte,AzureDisk,Vsphere,Cinder,PhotonPersistentDisk,Portworx,ScaleIO,
// CephFS,StorageOS,FC,AzureFile,Flex,Flocker}VolumeSource.
import { goMap, goSlice } from './go-format.ts';
import { flag, integer, present, text, textMap, texts, type Json } from './json-fields.ts';
import type { PrefixWriter } from './prefix-writer.ts';
import { secretRef, typedSource } from './volume-source-lines.ts';

export type SourcePrinter = (source: Json, w: PrefixWriter) => void;

const bool = (source: Json, field: string): string => String(flag(source, field));

export const gcePersistentDisk: SourcePrinter = (s, w) =>
  typedSource(w, 'GCEPersistentDisk (a Persistent Disk resource in Google Compute Engine)', [
    ['PDName:', text(s, 'pdName')],
    ['FSType:', text(s, 'fsType')],
    ['Partition:', integer(s, 'partition')],
    ['ReadOnly:', bool(s, 'readOnly')],
  ]);

export const awsElasticBlockStore: SourcePrinter = (s, w) =>
  typedSource(w, 'AWSElasticBlockStore (a Persistent Disk resource in AWS)', [
    ['VolumeID:', text(s, 'volumeID')],
    ['FSType:', text(s, 'fsType')],
    ['Partition:', integer(s, 'partition')],
    ['ReadOnly:', bool(s, 'readOnly')],
  ]);

export const gitRepo: SourcePrinter = (s, w) =>
  typedSource(w, 'GitRepo (a volume that is pulled from git when the pod is created)', [
    ['Repository:', text(s, 'repository')],
    ['Revision:', text(s, 'revision')],
  ]);

export const nfs: SourcePrinter = (s, w) =>
  typedSource(w, 'NFS (an NFS mount that lasts the lifetime of a pod)', [
    ['Server:', text(s, 'server')],
    ['Path:', text(s, 'path')],
    ['ReadOnly:', bool(s, 'readOnly')],
  ]);

export const iscsi: SourcePrinter = (s, w) =>
  typedSource(w, "ISCSI (an ISCSI Disk resource that is attached to a kubelet's host machine and then exposed to the pod)", [
    ['TargetPortal:', text(s, 'targetPortal')],
    ['IQN:', text(s, 'iqn')],
    ['Lun:', integer(s, 'lun')],
    // sic: kubectl prints this label without its colon.
    ['ISCSIInterface', text(s, 'iscsiInterface')],
    ['FSType:', text(s, 'fsType')],
    ['ReadOnly:', bool(s, 'readOnly')],
    ['Portals:', goSlice(texts(s, 'portals'))],
    ['DiscoveryCHAPAuth:', bool(s, 'chapAuthDiscovery')],
    ['SessionCHAPAuth:', bool(s, 'chapAuthSession')],
    ['SecretRef:', secretRef(s)],
    ['InitiatorName:', present(s, 'initiatorName') ? text(s, 'initiatorName') : '<none>'],
  ]);

export const glusterfs: SourcePrinter = (s, w) =>
  typedSource(w, "Glusterfs (a Glusterfs mount on the host that shares a pod's lifetime)", [
    ['EndpointsName:', text(s, 'endpoints')],
    ['Path:', text(s, 'path')],
    ['ReadOnly:', bool(s, 'readOnly')],
  ]);

export const rbd: SourcePrinter = (s, w) =>
  typedSource(w, "RBD (a Rados Block Device mount on the host that shares a pod's lifetime)", [
    ['CephMonitors:', goSlice(texts(s, 'monitors'))],
    ['RBDImage:', text(s, 'image')],
    ['FSType:', text(s, 'fsType')],
    ['RBDPool:', text(s, 'pool')],
    ['RadosUser:', text(s, 'user')],
    ['Keyring:', text(s, 'keyring')],
    ['SecretRef:', secretRef(s)],
    ['ReadOnly:', bool(s, 'readOnly')],
  ]);

export const quobyte: SourcePrinter = (s, w) =>
  typedSource(w, "Quobyte (a Quobyte mount on the host that shares a pod's lifetime)", [
    ['Registry:', text(s, 'registry')],
    ['Volume:', text(s, 'volume')],
    ['ReadOnly:', bool(s, 'readOnly')],
  ]);

/** kubectl dereferences these four unchecked; the API server always defaults them (as here). */
export const azureDisk: SourcePrinter = (s, w) =>
  typedSource(w, 'AzureDisk (an Azure Data Disk mount on the host and bind mount to the pod)', [
    ['DiskName:', text(s, 'diskName')],
    ['DiskURI:', text(s, 'diskURI')],
    // sic: a space before the tab.
    ['Kind: ', present(s, 'kind') ? text(s, 'kind') : 'Shared'],
    ['FSType:', present(s, 'fsType') ? text(s, 'fsType') : 'ext4'],
    ['CachingMode:', present(s, 'cachingMode') ? text(s, 'cachingMode') : 'ReadWrite'],
    ['ReadOnly:', bool(s, 'readOnly')],
  ]);

export const vsphereVolume: SourcePrinter = (s, w) =>
  typedSource(w, 'vSphereVolume (a Persistent Disk resource in vSphere)', [
    ['VolumePath:', text(s, 'volumePath')],
    ['FSType:', text(s, 'fsType')],
    ['StoragePolicyName:', text(s, 'storagePolicyName')],
  ]);

export const cinder: SourcePrinter = (s, w) =>
  typedSource(w, 'Cinder (a Persistent Disk resource in OpenStack)', [
    ['VolumeID:', text(s, 'volumeID')],
    ['FSType:', text(s, 'fsType')],
    ['ReadOnly:', bool(s, 'readOnly')],
    ['SecretRef:', secretRef(s)],
  ]);

export const photonPersistentDisk: SourcePrinter = (s, w) =>
  typedSource(w, 'PhotonPersistentDisk (a Persistent Disk resource in photon platform)', [
    ['PdID:', text(s, 'pdID')],
    ['FSType:', text(s, 'fsType')],
  ]);

export const portworxVolume: SourcePrinter = (s, w) =>
  typedSource(w, 'PortworxVolume (a Portworx Volume resource)', [['VolumeID:', text(s, 'volumeID')]]);

export const scaleIO: SourcePrinter = (s, w) =>
  typedSource(w, 'ScaleIO (a persistent volume backed by a block device in ScaleIO)', [
    ['Gateway:', text(s, 'gateway')],
    ['System:', text(s, 'system')],
    ['Protection Domain:', text(s, 'protectionDomain')],
    ['Storage Pool:', text(s, 'storagePool')],
    ['Storage Mode:', text(s, 'storageMode')],
    ['VolumeName:', text(s, 'volumeName')],
    ['FSType:', text(s, 'fsType')],
    ['ReadOnly:', bool(s, 'readOnly')],
  ]);

export const cephfs: SourcePrinter = (s, w) =>
  typedSource(w, "CephFS (a CephFS mount on the host that shares a pod's lifetime)", [
    ['Monitors:', goSlice(texts(s, 'monitors'))],
    ['Path:', text(s, 'path')],
    ['User:', text(s, 'user')],
    ['SecretFile:', text(s, 'secretFile')],
    ['SecretRef:', secretRef(s)],
    ['ReadOnly:', bool(s, 'readOnly')],
  ]);

export const storageos: SourcePrinter = (s, w) =>
  typedSource(w, 'StorageOS (a StorageOS Persistent Disk resource)', [
    ['VolumeName:', text(s, 'volumeName')],
    ['VolumeNamespace:', text(s, 'volumeNamespace')],
    ['FSType:', text(s, 'fsType')],
    ['ReadOnly:', bool(s, 'readOnly')],
  ]);

export const fc: SourcePrinter = (s, w) =>
  typedSource(w, 'FC (a Fibre Channel disk)', [
    ['TargetWWNs:', texts(s, 'targetWWNs').join(', ')],
    ['LUN:', present(s, 'lun') ? integer(s, 'lun') : '<none>'],
    ['FSType:', text(s, 'fsType')],
    ['ReadOnly:', bool(s, 'readOnly')],
  ]);

export const azureFile: SourcePrinter = (s, w) =>
  typedSource(w, 'AzureFile (an Azure File Service mount on the host and bind mount to the pod)', [
    ['SecretName:', text(s, 'secretName')],
    ['ShareName:', text(s, 'shareName')],
    ['ReadOnly:', bool(s, 'readOnly')],
  ]);

export const flexVolume: SourcePrinter = (s, w) =>
  typedSource(w, 'FlexVolume (a generic volume resource that is provisioned/attached using an exec based plugin)', [
    ['Driver:', text(s, 'driver')],
    ['FSType:', text(s, 'fsType')],
    ['SecretRef:', secretRef(s)],
    ['ReadOnly:', bool(s, 'readOnly')],
    ['Options:', goMap(textMap(s, 'options'))],
  ]);

export const flocker: SourcePrinter = (s, w) =>
  typedSource(w, 'Flocker (a Flocker volume mounted by the Flocker agent)', [
    ['DatasetName:', text(s, 'datasetName')],
    ['DatasetUUID:', text(s, 'datasetUUID')],
  ]);

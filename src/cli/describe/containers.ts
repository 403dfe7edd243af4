// The `Containers:` and `Init Containers:` sections of a pod template: per container its image,
// ports, command, resources, probes, environment and mounts. A template has no container status,
// so the state lines of `kubectl describe pod` never appear here.
// upstream: kubectl pkg/describe/describe.go describeContainers, describeContainersLabel,
// describeContainerBasicInfo, describeContainerPorts, describeContainerHostPorts,
// describeContainerCommand, describeResources, describeContainerProbe, describeContainerVolumes.
import { compareGoStrings, goQuote } from './go-format.ts';
import { goSortSlice } from './go-sort.ts';
import { describeContainerEnvFrom, describeContainerEnvVars } from './environment.ts';
import { flag, integer, items, object, struct, text, texts, type Json } from './json-fields.ts';
import { describeProbe } from './probe.ts';
import { LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3, type PrefixWriter } from './prefix-writer.ts';
import { displayQuantity } from './quantity-string.ts';

export function describeContainers(label: string, containers: readonly Json[], w: PrefixWriter, space: string): void {
  w.write(LEVEL_0, `${space}${label}:${containers.length === 0 ? ' <none>' : ''}\n`);
  for (const container of containers) {
    describeContainerBasicInfo(container, space, w);
    describeContainerCommand(container, w);
    describeResources(struct(container, 'resources'), w, LEVEL_2);
    describeContainerProbes(container, w);
    if (items(container, 'envFrom').length > 0) describeContainerEnvFrom(container, w);
    describeContainerEnvVars(container, w);
    describeContainerVolumes(container, w);
  }
}

function stringOrNone(s: string): string {
  return s.length > 0 ? s : '<none>';
}

/** `80/TCP (http), 53/UDP`: one port field of every port, named ones with their name. */
function describePorts(ports: readonly Json[], field: 'containerPort' | 'hostPort'): string {
  return ports
    .map((port) => {
      const name = text(port, 'name');
      const number = `${integer(port, field)}/${text(port, 'protocol')}`;
      return name === '' ? number : `${number} (${name})`;
    })
    .join(', ');
}

function describeContainerBasicInfo(container: Json, space: string, w: PrefixWriter): void {
  const nameIndent = space.length > 0 ? ' ' : '';
  w.write(LEVEL_1, `${nameIndent}${text(container, 'name')}:\n`);
  w.write(LEVEL_2, `Image:\t${text(container, 'image')}\n`);
  const ports = items(container, 'ports');
  // kubectl picks the plural by looking for a comma in the joined list.
  const portString = describePorts(ports, 'containerPort');
  w.write(LEVEL_2, portString.includes(',') ? `Ports:\t${portString}\n` : `Port:\t${stringOrNone(portString)}\n`);
  const hostPortString = describePorts(ports, 'hostPort');
  w.write(LEVEL_2, hostPortString.includes(',') ? `Host Ports:\t${hostPortString}\n` : `Host Port:\t${stringOrNone(hostPortString)}\n`);
  const seccompProfile = object(object(container, 'securityContext'), 'seccompProfile');
  if (seccompProfile) {
    const type = text(seccompProfile, 'type');
    w.write(LEVEL_2, `SeccompProfile:\t${type}\n`);
    if (type === 'Localhost') w.write(LEVEL_3, `LocalhostProfile:\t${text(seccompProfile, 'localhostProfile')}\n`);
  }
}

/** Command and args, one line per element and per line inside an element. */
function describeContainerCommand(container: Json, w: PrefixWriter): void {
  for (const [field, title] of [
    ['command', 'Command'],
    ['args', 'Args'],
  ] as const) {
    const values = texts(container, field);
    if (values.length === 0) continue;
    w.write(LEVEL_2, `${title}:\n`);
    for (const value of values) for (const line of value.split('\n')) w.write(LEVEL_3, `${line}\n`);
  }
}

/** A quantity as Quantity.String() prints it; a value Go could not parse is shown as given. */
function quantityText(json: unknown): string {
  return displayQuantity(json)?.text ?? (typeof json === 'string' ? json : JSON.stringify(json));
}

/** Limits and requests, each sorted by resource name. */
export function describeResources(resources: Json, w: PrefixWriter, level: number): void {
  for (const [field, title] of [
    ['limits', 'Limits'],
    ['requests', 'Requests'],
  ] as const) {
    const list = object(resources, field) ?? {};
    const names = Object.keys(list).sort(compareGoStrings);
    if (names.length > 0) w.write(level, `${title}:\n`);
    for (const name of names) w.write(level + 1, `${name}:\t${quantityText(list[name])}\n`);
  }
}

function describeContainerProbes(container: Json, w: PrefixWriter): void {
  for (const [field, title] of [
    ['livenessProbe', 'Liveness'],
    ['readinessProbe', 'Readiness'],
    ['startupProbe', 'Startup'],
  ] as const) {
    const probe = object(container, field);
    if (probe) w.write(LEVEL_2, `${title}:\t${describeProbe(probe)}\n`);
  }
}

/** Mounts sorted by path (`/data from data (ro,path="sub")`), then block devices. */
function describeContainerVolumes(container: Json, w: PrefixWriter): void {
  const mounts = items(container, 'volumeMounts');
  const none = mounts.length === 0 ? '\t<none>' : '';
  w.write(LEVEL_2, `Mounts:${none}\n`);
  for (const mount of goSortSlice(mounts, (a, b) => compareGoStrings(text(a, 'mountPath'), text(b, 'mountPath')) < 0)) {
    const flags = [flag(mount, 'readOnly') ? 'ro' : 'rw'];
    const subPath = text(mount, 'subPath');
    if (subPath.length > 0) flags.push(`path=${goQuote(subPath)}`);
    w.write(LEVEL_3, `${text(mount, 'mountPath')} from ${text(mount, 'name')} (${flags.join(',')})\n`);
  }
  const devices = items(container, 'volumeDevices');
  if (devices.length === 0) return;
  // kubectl reuses the mounts' `none`: no mounts gives `Devices:\t<none>` above the devices.
  w.write(LEVEL_2, `Devices:${none}\n`);
  for (const device of goSortSlice(devices, (a, b) => compareGoStrings(text(a, 'devicePath'), text(b, 'devicePath')) < 0)) {
    w.write(LEVEL_3, `${text(device, 'devicePath')} from ${text(device, 'name')}\n`);
  }
}

// `kubectl my version [--client] [-o json|yaml]`: the plugin's version and the Node.js it runs on,
// then, unless --client, the API server's version and whether apps.my.dev is served there, at the
// version this plugin speaks — the first things a bug report needs.
//
// upstream: staging/src/k8s.io/kubectl/pkg/cmd/version/version.go — the `Client Version:` and
// `Server Version:` lines, -o json (two-space indent) and -o yaml of one struct, the client part
// printed before a failing server is reported, and no request at all with --client.
//
// The version is package.json's, imported as a JSON module: from src/ and from dist/ the file is two
// folders up (npm packs package.json at the package root), and hack/krew-release.ts's bundle inlines it.
import { Command, Option } from 'commander';
import { stringify } from 'yaml';
import packageJson from '../../package.json' with { type: 'json' };
import { group, myDaemonSets, myDeployments, myReplicaSets, myStatefulSets, version as servedVersion } from '../api/workloads.ts';
import { ApiError } from '../runtime/client/errors.ts';
import type { KubeClient } from '../runtime/client/rest.ts';

/** The plugin's version as kubectl writes its own: `v` and package.json's semantic version. */
export const pluginVersion = `v${packageJson.version}`;

/** The kinds this plugin works on, in the order its help names them. */
const pluginKinds = [myDaemonSets, myStatefulSets, myDeployments, myReplicaSets].map((r) => r.kind);

export interface ClientVersion {
  readonly gitVersion: string;
  readonly nodeVersion: string;
  /** GOOS/GOARCH, as kubectl reports its platform (linux/amd64, windows/amd64). */
  readonly platform: string;
}

/** The API server's /version (k8s.io/apimachinery/pkg/version.Info), kept as it came. */
export type ServerVersion = { readonly gitVersion: string } & Readonly<Record<string, unknown>>;

/** What discovery says of apps.my.dev: its served versions and, at ours, which of our kinds are served. */
export interface CustomResources {
  readonly group: string;
  readonly installed: boolean;
  readonly servedVersions: readonly string[];
  readonly preferredVersion?: string;
  /** The version this plugin reads and writes. */
  readonly version: string;
  readonly kinds: readonly string[];
  readonly missingKinds: readonly string[];
}

export interface VersionInfo {
  readonly clientVersion: ClientVersion;
  readonly serverVersion?: ServerVersion;
  readonly customResources?: CustomResources;
}

const goos: Readonly<Record<string, string>> = { win32: 'windows' };
const goarch: Readonly<Record<string, string>> = { x64: 'amd64', ia32: '386' };

export function clientVersion(): ClientVersion {
  return {
    gitVersion: pluginVersion,
    nodeVersion: process.version,
    platform: `${goos[process.platform] ?? process.platform}/${goarch[process.arch] ?? process.arch}`,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readServerVersion(client: KubeClient): Promise<ServerVersion> {
  const body = await client.request<unknown>({ method: 'GET', path: '/version' });
  if (!isRecord(body) || typeof body.gitVersion !== 'string') throw new Error('the API server answered /version without a gitVersion');
  return { ...body, gitVersion: body.gitVersion };
}

/** The `version` fields of a discovery list (APIGroup.versions), or of one entry (preferredVersion). */
function versionOf(value: unknown): string | undefined {
  return isRecord(value) && typeof value.version === 'string' ? value.version : undefined;
}

/** The kinds of an APIResourceList's resources; subresources (mydaemonsets/status) repeat their parent's kind. */
function servedKinds(list: unknown): Set<string> {
  const kinds = new Set<string>();
  const resources: unknown[] = isRecord(list) && Array.isArray(list.resources) ? list.resources : [];
  for (const r of resources) {
    if (isRecord(r) && typeof r.name === 'string' && !r.name.includes('/') && typeof r.kind === 'string') kinds.add(r.kind);
  }
  return kinds;
}

/**
 * Reads discovery as any authenticated user may (system:discovery): GET /apis/apps.my.dev, the
 * APIGroup, then the APIResourceList of our version. 404 means no CRD of the group is established.
 */
async function readCustomResources(client: KubeClient): Promise<CustomResources> {
  const notFound = (err: unknown): undefined => {
    if (err instanceof ApiError && err.code === 404) return undefined;
    throw err;
  };
  const apiGroup = await client.request<unknown>({ method: 'GET', path: `/apis/${group}` }).catch(notFound);
  const servedVersions = isRecord(apiGroup) && Array.isArray(apiGroup.versions) ? apiGroup.versions.map(versionOf).filter((v) => v !== undefined) : [];
  const preferredVersion = isRecord(apiGroup) ? versionOf(apiGroup.preferredVersion) : undefined;
  const served = servedVersions.includes(servedVersion)
    ? servedKinds(await client.request<unknown>({ method: 'GET', path: `/apis/${group}/${servedVersion}` }).catch(notFound))
    : new Set<string>();
  return {
    group,
    installed: servedVersions.length > 0,
    servedVersions,
    ...(preferredVersion === undefined ? {} : { preferredVersion }),
    version: servedVersion,
    kinds: pluginKinds.filter((k) => served.has(k)),
    missingKinds: pluginKinds.filter((k) => !served.has(k)),
  };
}

/** The text line about apps.my.dev: what is served at our version, and what is not. */
export function customResourcesLine(crs: CustomResources): string {
  if (!crs.installed) return `Custom Resources: ${crs.group} not served (install the operator's CustomResourceDefinitions)`;
  if (!crs.servedVersions.includes(crs.version)) {
    return `Custom Resources: ${crs.group} serves ${crs.servedVersions.join(', ')}, not ${crs.version} (this plugin's version)`;
  }
  const missing = crs.missingKinds.length > 0 ? `; not served: ${crs.missingKinds.join(', ')}` : '';
  return `Custom Resources: ${crs.group}/${crs.version} (${crs.kinds.join(', ')}${missing})`;
}

export function versionLines(info: VersionInfo, output: 'json' | 'yaml' | undefined): string[] {
  switch (output) {
    case 'json':
      return [JSON.stringify(info, null, 2)];
    case 'yaml':
      return [stringify(info).trimEnd()];
    case undefined:
      return [
        `Client Version: ${info.clientVersion.gitVersion}`,
        `Node.js Version: ${info.clientVersion.nodeVersion}`,
        ...(info.serverVersion ? [`Server Version: ${info.serverVersion.gitVersion}`] : []),
        ...(info.customResources ? [customResourcesLine(info.customResources)] : []),
      ];
  }
}

interface VersionFlags {
  readonly client: boolean;
  readonly output?: 'json' | 'yaml';
}

/** Adds `version`; `connect` is called only without --client, so that works with no kubeconfig at all. */
export function registerVersion(program: Command, out: (line: string) => void, connect: () => Promise<{ client: KubeClient }>): void {
  program.addCommand(
    new Command('version')
      .description("print the plugin's version and Node.js version, and the API server's version and apps.my.dev CRDs (--client: the plugin only)")
      .option('--client', 'the plugin only: no request to the API server', false)
      .addOption(new Option('-o, --output <format>', 'print the versions as json or yaml').choices(['json', 'yaml']))
      .action(async (flags: VersionFlags) => {
        const client = clientVersion();
        if (flags.client) {
          for (const line of versionLines({ clientVersion: client }, flags.output)) out(line);
          return;
        }
        // As kubectl: a server that cannot be read still leaves the client's version printed.
        let serverVersion: ServerVersion | undefined;
        let customResources: CustomResources | undefined;
        let failure: Error | undefined;
        try {
          const { client: api } = await connect();
          serverVersion = await readServerVersion(api);
          customResources = await readCustomResources(api);
        } catch (err) {
          failure = err instanceof Error ? err : new Error(String(err));
        }
        const info: VersionInfo = { clientVersion: client, ...(serverVersion && { serverVersion }), ...(customResources && { customResources }) };
        for (const line of versionLines(info, flags.output)) out(line);
        if (failure !== undefined) throw failure;
      }),
  );
}

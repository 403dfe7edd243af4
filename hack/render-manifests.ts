// Keeps the Helm chart and the plain manifests in step with their sources, so crds/ stays the one
// source of truth for the CRDs and the chart the one source of truth for everything else:
//
//   1. crds/*.yaml → deploy/helm/my-workload-operator/templates/crds/*.yaml: the same spec, text
//      for text, wrapped in `crds.install` and given the chart's labels and, with `crds.keep`,
//      `helm.sh/resource-policy: keep`.
//   2. `helm template` of the chart with default values → deploy/manifests/ (crds.yaml,
//      namespace.yaml, operator.yaml) for `kubectl apply -f deploy/manifests/`.
//
//   npm run manifests               write both
//   npm run manifests -- --check    exit 1 if either differs from what would be written
//
// helm comes from hack/build-tools.sh (built from the Go module proxy and cached, like the control plane).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const crdDir = path.join(repoRoot, 'crds');
export const chartDir = path.join(repoRoot, 'deploy', 'helm', 'my-workload-operator');
export const chartCrdDir = path.join(chartDir, 'templates', 'crds');
export const manifestsDir = path.join(repoRoot, 'deploy', 'manifests');

/** Release name and namespace of the plain manifests. */
export const releaseName = 'my-workload-operator';
export const releaseNamespace = 'my-workload-operator';

/** File name → content. */
export type Files = ReadonlyMap<string, string>;

/**
 * Builds helm (or finds it cached) and returns the tools' bin folder; throws if Go is missing.
 * Only helm: the other tools build-tools.sh makes (prometheus takes minutes) are not needed here.
 * `quiet` keeps the build log out of the way unless the build fails.
 */
export function toolsBin(options: { readonly quiet?: boolean } = {}): string {
  const result = spawnSync('bash', [path.join(repoRoot, 'hack', 'build-tools.sh'), 'helm'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', options.quiet ? 'pipe' : 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const bin = result.stdout.trim().split('\n').pop() ?? '';
  if (result.status !== 0 || !existsSync(path.join(bin, 'helm'))) {
    throw new Error(`hack/build-tools.sh failed (exit ${result.status ?? 'signal'})${options.quiet ? `:\n${result.stderr}` : ''}`);
  }
  return bin;
}

// ---------------------------------------------------------------------------------------------
// crds/ → chart templates
// ---------------------------------------------------------------------------------------------

/** Top-level `key:` sections of a YAML document, in order, each with its text (comments before the first key dropped). */
function topLevelSections(text: string, where: string): Map<string, string> {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    const key = /^([A-Za-z][\w-]*):/.exec(line)?.[1];
    if (key !== undefined) {
      if (sections.has(key)) throw new Error(`${where}: top-level key ${key} appears twice`);
      current = [line];
      sections.set(key, current);
    } else if (current) {
      current.push(line);
    } else if (line.trim() !== '' && !line.startsWith('#')) {
      throw new Error(`${where}: unexpected text before the first key: ${line}`);
    }
  }
  return new Map([...sections].map(([key, lines]) => [key, lines.join('\n').trimEnd()]));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringMap(value: unknown, where: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw new Error(`${where}: not a map`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new Error(`${where}.${k}: not a string`);
    out[k] = v;
  }
  return out;
}

/** `{{` and `}}` in copied text, escaped so Helm prints them instead of parsing them. */
function escapeTemplate(text: string): string {
  return text.replace(/\{\{|\}\}/g, (m) => `{{ "${m}" }}`);
}

/** A map's YAML lines indented under a template-generated block (empty map → no lines). */
function indentedMap(map: Record<string, string>, indent: number): string {
  if (Object.keys(map).length === 0) return '';
  const pad = ' '.repeat(indent);
  return escapeTemplate(
    stringify(map)
      .trimEnd()
      .split('\n')
      .map((l) => pad + l)
      .join('\n'),
  );
}

/** The chart template for one CRD file of crds/: spec copied verbatim, metadata templated. */
export function chartCrdTemplate(fileName: string, text: string): string {
  const where = `crds/${fileName}`;
  const sections = topLevelSections(text, where);
  const keys = [...sections.keys()];
  if (keys.join(',') !== 'apiVersion,kind,metadata,spec') {
    throw new Error(`${where}: expected top-level keys apiVersion, kind, metadata, spec; found ${keys.join(', ')}`);
  }
  const metaDoc: unknown = parse(sections.get('metadata') ?? '');
  const metadata = isRecord(metaDoc) ? metaDoc.metadata : undefined;
  if (!isRecord(metadata)) throw new Error(`${where}: metadata is not a map`);
  const { name, labels, annotations, ...rest } = metadata;
  if (typeof name !== 'string' || name === '') throw new Error(`${where}: metadata.name is missing`);
  if (Object.keys(rest).length > 0) throw new Error(`${where}: metadata.${Object.keys(rest).join(', ')} is not supported by the chart copy`);
  const ownLabels = indentedMap(stringMap(labels, `${where} metadata.labels`), 4);
  const ownAnnotations = indentedMap(stringMap(annotations, `${where} metadata.annotations`), 4);

  const out = [
    `{{- /* Generated by hack/render-manifests.ts from crds/${fileName}. Do not edit: run \`npm run manifests\`. */ -}}`,
    '{{- if .Values.crds.install }}',
    escapeTemplate(sections.get('apiVersion') ?? ''),
    escapeTemplate(sections.get('kind') ?? ''),
    'metadata:',
    `  name: ${name}`,
    '  labels:',
    '    {{- include "my-workload-operator.labels" . | nindent 4 }}',
    ...(ownLabels ? [ownLabels] : []),
  ];
  if (ownAnnotations) {
    out.push('  annotations:', ownAnnotations, '    {{- if .Values.crds.keep }}', '    helm.sh/resource-policy: keep', '    {{- end }}');
  } else {
    out.push('  {{- if .Values.crds.keep }}', '  annotations:', '    helm.sh/resource-policy: keep', '  {{- end }}');
  }
  out.push(escapeTemplate(sections.get('spec') ?? ''), '{{- end }}', '');
  return out.join('\n');
}

/** The chart's templates/crds/ as it should be. */
export function chartCrdTemplates(): Files {
  const files = new Map<string, string>();
  for (const file of readdirSync(crdDir).filter((f) => f.endsWith('.yaml')).sort()) {
    files.set(file, chartCrdTemplate(file, readFileSync(path.join(crdDir, file), 'utf8')));
  }
  if (files.size === 0) throw new Error(`no CRDs in ${crdDir}`);
  return files;
}

// ---------------------------------------------------------------------------------------------
// chart → deploy/manifests/
// ---------------------------------------------------------------------------------------------

/** `helm template` of the chart as it is on disk. */
export function helmTemplate(helm: string, args: readonly string[] = []): string {
  return execFileSync(helm, ['template', releaseName, chartDir, '--namespace', releaseNamespace, ...args], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The documents of a multi-document YAML stream, as text, without separators. */
export function splitDocuments(stream: string): string[] {
  return stream
    .split(/^---[ \t]*$/m)
    .map((d) => d.trim())
    .filter((d) => d.split('\n').some((l) => l.trim() !== '' && !l.trim().startsWith('#')));
}

const header = (what: string): string =>
  [
    `# ${what}`,
    `# Generated by hack/render-manifests.ts: \`helm template ${releaseName} deploy/helm/my-workload-operator`,
    `# --namespace ${releaseNamespace}\` with default values. Do not edit: run \`npm run manifests\`.`,
    '# Apply with: kubectl apply -f deploy/manifests/ (client-side or --server-side)',
    '',
  ].join('\n');

const namespaceManifest = stringify({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: {
    name: releaseNamespace,
    labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'app.kubernetes.io/part-of': 'my-workload-operator' },
  },
});

/** deploy/manifests/ as it should be, rendered from the chart on disk. */
export function renderManifests(helm: string): Files {
  const docs = splitDocuments(helmTemplate(helm));
  const isCrd = (doc: string): boolean => /^kind: CustomResourceDefinition$/m.test(doc);
  const join = (ds: string[]): string => ds.map((d) => `---\n${d}\n`).join('');
  return new Map([
    ['crds.yaml', header('The MyDaemonSet and MyStatefulSet CustomResourceDefinitions.') + join(docs.filter(isCrd))],
    ['namespace.yaml', header(`The operator's namespace, enforcing the restricted Pod Security Standard.`) + join([namespaceManifest.trim()])],
    ['operator.yaml', header('The operator: ServiceAccount, RBAC, Services (metrics, webhook), Deployment, webhook registration.') + join(docs.filter((d) => !isCrd(d)))],
  ]);
}

// ---------------------------------------------------------------------------------------------
// files on disk
// ---------------------------------------------------------------------------------------------

/** Paths (relative to the repository) whose content differs from `want`, or that `want` lacks. */
export function staleFiles(dir: string, want: Files): string[] {
  const have = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.yaml')) : [];
  const stale = new Set<string>();
  for (const [file, content] of want) {
    const full = path.join(dir, file);
    if (!existsSync(full) || readFileSync(full, 'utf8') !== content) stale.add(file);
  }
  for (const file of have) if (!want.has(file)) stale.add(file);
  return [...stale].sort().map((f) => path.relative(repoRoot, path.join(dir, f)));
}

function writeFiles(dir: string, want: Files): void {
  mkdirSync(dir, { recursive: true });
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    if (!want.has(file)) rmSync(path.join(dir, file));
  }
  for (const [file, content] of want) writeFileSync(path.join(dir, file), content);
}

function main(argv: readonly string[]): number {
  const check = argv.includes('--check');
  const crds = chartCrdTemplates();
  if (check) {
    const stale = staleFiles(chartCrdDir, crds);
    // Render from the chart as it should be: a stale CRD copy is reported once, above.
    if (stale.length === 0) stale.push(...staleFiles(manifestsDir, renderManifests(path.join(toolsBin(), 'helm'))));
    if (stale.length > 0) {
      console.error(`stale (run \`npm run manifests\`):\n  ${stale.join('\n  ')}`);
      return 1;
    }
    return 0;
  }
  writeFiles(chartCrdDir, crds);
  const manifests = renderManifests(path.join(toolsBin(), 'helm'));
  writeFiles(manifestsDir, manifests);
  console.error(`wrote ${path.relative(repoRoot, chartCrdDir)}/ (${crds.size} files), ${path.relative(repoRoot, manifestsDir)}/ (${manifests.size} files)`);
  return 0;
}

if (import.meta.main) process.exit(main(process.argv.slice(2)));

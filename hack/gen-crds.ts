// Generates the CustomResourceDefinitions in crds/ from the Kubernetes OpenAPI v3 definitions, so
// that MyDaemonSet, MyStatefulSet, MyDeployment and MyReplicaSet carry apps/v1's spec and status
// field for field: a pod template with descriptions (`kubectl explain mds.spec.template.spec.containers`),
// rejection of unknown pod fields, apps/v1 and core/v1 defaulting where a static default can
// express it, and upstream validation as schema keywords and CEL rules. Descriptions that repeat
// (initContainers) or sit below the volume sources are dropped so that each CRD fits client-side
// apply's last-applied-configuration annotation (`kubectl apply -f crds/`; see descriptionTrims).
//
//   npm run gen:crds                        write crds/*.yaml from hack/openapi/definitions.json
//   npm run gen:crds -- --check             exit 1 if crds/ differs from what would be written
//   npm run gen:crds -- --refresh-openapi   first re-copy the definitions from the Go module cache
//
// hack/openapi/definitions.json is a verbatim, trimmed copy of the definitions reachable from
// io.k8s.api.apps.v1.DaemonSet, StatefulSet, Deployment and ReplicaSet in
// k8s.io/kubernetes@<version>/api/openapi-spec/v3 (apps/v1 document for apps types, core/v1
// document for the rest), so regeneration and CI never need the module cache. Every
// transformation lives here, not in the copy.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { boundClaimTemplates, claimTemplateRules, claimTemplatesPresenceRule, claimTemplatesStatus } from './crd-claim-growth.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const definitionsPath = path.join(repoRoot, 'hack', 'openapi', 'definitions.json');
export const crdDir = path.join(repoRoot, 'crds');

const group = 'apps.my.dev';
const version = 'v1alpha1';

// ---------------------------------------------------------------------------------------------
// JSON input
// ---------------------------------------------------------------------------------------------

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function toJson(value: unknown, where = '$'): Json {
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') {
    return value;
  }
  if (Array.isArray(value)) return value.map((item: unknown, i) => toJson(item, `${where}[${i}]`));
  if (typeof value === 'object') {
    const out: JsonObject = {};
    for (const key of Object.keys(value)) out[key] = toJson(Reflect.get(value, key), `${where}.${key}`);
    return out;
  }
  throw new Error(`${where}: not JSON (${typeof value})`);
}

export const isJsonObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function field(o: JsonObject, key: string): JsonObject | undefined {
  const value = o[key];
  return isJsonObject(value) ? value : undefined;
}

function text(o: JsonObject, key: string): string | undefined {
  const value = o[key];
  return typeof value === 'string' ? value : undefined;
}

function texts(o: JsonObject, key: string): string[] {
  const value = o[key];
  return Array.isArray(value) ? value.filter((v) => typeof v === 'string') : [];
}

/** The trimmed OpenAPI copy: definitions by their OpenAPI name, plus where they came from. */
export interface Definitions {
  readonly kubernetesVersion: string;
  readonly schemas: ReadonlyMap<string, JsonObject>;
}

export function loadDefinitions(file = definitionsPath): Definitions {
  const doc = toJson(JSON.parse(readFileSync(file, 'utf8')));
  if (!isJsonObject(doc)) throw new Error(`${file}: not an object`);
  const kubernetesVersion = text(doc, 'kubernetesVersion');
  const schemas = field(doc, 'definitions');
  if (kubernetesVersion === undefined || schemas === undefined) {
    throw new Error(`${file}: want {kubernetesVersion, definitions}`);
  }
  const map = new Map<string, JsonObject>();
  for (const [name, schema] of Object.entries(schemas)) {
    if (!isJsonObject(schema)) throw new Error(`${file}: definition ${name} is not an object`);
    map.set(name, schema);
  }
  return { kubernetesVersion, schemas: map };
}

// ---------------------------------------------------------------------------------------------
// Refreshing the trimmed copy from the Go module cache
// ---------------------------------------------------------------------------------------------

const appsPrefix = 'io.k8s.api.apps.v1.';
/** Everything the CRDs need is reachable from these (whole objects, for their field descriptions). */
const refreshRoots = [`${appsPrefix}DaemonSet`, `${appsPrefix}StatefulSet`, `${appsPrefix}Deployment`, `${appsPrefix}ReplicaSet`];

function readVersionsEnv(): string {
  const env = readFileSync(path.join(repoRoot, 'hack', 'versions.env'), 'utf8');
  const match = /^KUBERNETES_VERSION=(\S+)$/m.exec(env);
  if (!match?.[1]) throw new Error('hack/versions.env: no KUBERNETES_VERSION');
  return match[1];
}

function goModCache(): string {
  try {
    const out = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
    if (out !== '') return out;
  } catch {
    // no go on PATH: fall back to its default location
  }
  return path.join(os.homedir(), 'go', 'pkg', 'mod');
}

function readComponents(file: string): JsonObject {
  const doc = toJson(JSON.parse(readFileSync(file, 'utf8')));
  const schemas = isJsonObject(doc) ? field(field(doc, 'components') ?? {}, 'schemas') : undefined;
  if (schemas === undefined) throw new Error(`${file}: no components.schemas`);
  return schemas;
}

function refName(ref: string): string {
  const prefix = '#/components/schemas/';
  if (!ref.startsWith(prefix)) throw new Error(`unsupported $ref ${ref}`);
  return ref.slice(prefix.length);
}

function collectRefs(value: Json, into: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) collectRefs(item, into);
  } else if (isJsonObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string') into.push(refName(item));
      else collectRefs(item, into);
    }
  }
}

/** Where the module cache keeps the OpenAPI v3 documents of the pinned Kubernetes version. */
export function moduleCacheSpecDir(kubernetesVersion = readVersionsEnv()): string {
  return path.join(goModCache(), 'k8s.io', `kubernetes@${kubernetesVersion}`, 'api', 'openapi-spec', 'v3');
}

/**
 * The content of hack/openapi/definitions.json as the module cache would give it: the definitions
 * reachable from refreshRoots, verbatim, sorted by name.
 */
export function collectDefinitions(kubernetesVersion = readVersionsEnv()): JsonObject {
  const specDir = moduleCacheSpecDir(kubernetesVersion);
  const appsFile = path.join(specDir, 'apis__apps__v1_openapi.json');
  const coreFile = path.join(specDir, 'api__v1_openapi.json');
  if (!existsSync(appsFile) || !existsSync(coreFile)) {
    throw new Error(`${specDir} is missing; run: cd /tmp && go mod download k8s.io/kubernetes@${kubernetesVersion}`);
  }
  const apps = readComponents(appsFile);
  const core = readComponents(coreFile);
  const picked = new Map<string, JsonObject>();
  const pending = [...refreshRoots];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (picked.has(name)) continue;
    // apps types from the apps/v1 document, core and meta types from the core/v1 one
    const schema = name.startsWith(appsPrefix) ? apps[name] : (core[name] ?? apps[name]);
    if (!isJsonObject(schema)) throw new Error(`definition ${name} not found in ${specDir}`);
    picked.set(name, schema);
    collectRefs(schema, pending);
  }
  const definitions: JsonObject = {};
  for (const name of [...picked.keys()].sort()) definitions[name] = picked.get(name) ?? null;
  return {
    kubernetesVersion,
    source:
      `k8s.io/kubernetes@${kubernetesVersion}/api/openapi-spec/v3: ` +
      'apis__apps__v1_openapi.json (apps types), api__v1_openapi.json (core and meta types)',
    roots: refreshRoots,
    definitions,
  };
}

export const renderDefinitions = (doc: JsonObject): string => `${JSON.stringify(doc, null, 2)}\n`;

function refreshDefinitions(): void {
  const kubernetesVersion = readVersionsEnv();
  const doc = collectDefinitions(kubernetesVersion);
  writeFileSync(definitionsPath, renderDefinitions(doc));
  const count = isJsonObject(doc.definitions) ? Object.keys(doc.definitions).length : 0;
  console.log(`wrote ${path.relative(repoRoot, definitionsPath)}: ${count} definitions from Kubernetes ${kubernetesVersion}`);
}

// ---------------------------------------------------------------------------------------------
// Structural schema (apiextensions.k8s.io/v1 JSONSchemaProps, the subset we emit)
// ---------------------------------------------------------------------------------------------

export interface ValidationRule {
  rule: string;
  message: string;
  /** A CEL string expression the API server prints instead of message (message stays the fallback). */
  messageExpression?: string;
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired';
}

export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  description?: string;
  default?: Json;
  enum?: Json[];
  properties?: Record<string, Schema>;
  additionalProperties?: Schema;
  items?: Schema;
  required?: string[];
  anyOf?: Schema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  pattern?: string;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-validations'?: ValidationRule[];
}

/** upstream: validation.IsQualifiedName (prefix ≤ 253, name ≤ 63) and IsValidLabelValue (≤ 63). */
const labelKeyMaxLength = 253 + 1 + 63;
const labelValueMaxLength = 63;
const labelValuePattern = '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$';
const qualifiedNamePattern = '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$';
/** A label value: schema keywords only, so it costs no CEL budget wherever labels appear. */
const labelValue = (schema: Schema): void => {
  schema.maxLength = labelValueMaxLength;
  schema.pattern = labelValuePattern;
};
/** Entries per selector map or list, and values per requirement: ours, for the CEL cost budget. */
const selectorMaxEntries = 256;
/** Containers (and init containers) per pod template: ours, for the CEL cost budget. */
const containersMaxItems = 128;
/**
 * Tolerations per pod template: ours, for the CEL cost budget of tolerationRules (upstream has none;
 * the rules fit the budget up to some 16 000 items, so this leaves room for rules to come).
 */
const tolerationsMaxItems = 4096;
const dns1123LabelMaxLength = 63;

const intOrStringName = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const quantityName = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const timeName = 'io.k8s.apimachinery.pkg.apis.meta.v1.Time';
const objectMetaName = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
/** Untyped upstream types: the one place unknown fields are kept. */
const rawTypes = new Set(['io.k8s.apimachinery.pkg.runtime.RawExtension', 'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1']);
/**
 * ObjectMeta fields a CRD may carry below its root (what controller-gen emits for embedded
 * ObjectMeta); the rest (uid, resourceVersion, ownerReferences, …) is set by the API server on the
 * objects made from the template, never by the template.
 */
const templateMetadataFields = ['annotations', 'finalizers', 'labels', 'name', 'namespace'];

/** int-or-string in the form apiextensions accepts (as controller-gen writes it). */
function intOrString(): Schema {
  return { anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true };
}

/**
 * What resource.ParseQuantity accepts (apimachinery pkg/api/resource quantity.go
 * parseQuantityString and the suffixer): surrounding whitespace (UnmarshalJSON trims it), a sign,
 * digits with an optional fraction (either part may be empty), then a binary-SI, decimal-SI or
 * exponent suffix; a bare sign or suffix is zero. apps/v1 refuses anything else while decoding
 * (`quantities must match the regular expression …`), before validation and with no field path;
 * here the schema refuses it naming the field. Exponents beyond int32 parse here and fail there.
 */
export const quantityPattern =
  '^\\s*([+-]?[0-9]*(\\.[0-9]*)?([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)|[+-][0-9]*(\\.[0-9]*)?|[+-]?[0-9]+(\\.[0-9]*)?|[+-]?\\.[0-9]*)\\s*$';

/** A Quantity: int-or-string, the string form checked by quantityPattern (as controller-gen emits Quantity). */
function quantity(): Schema {
  return { ...intOrString(), pattern: quantityPattern };
}

const keptFormats: Readonly<Record<string, readonly string[]>> = {
  integer: ['int32', 'int64'],
  number: ['double', 'float'],
  string: ['date-time', 'byte'],
};

/** Go zero values: upstream's OpenAPI carries them as defaults of non-pointer fields; on a CR they are noise. */
function isZeroValue(value: Json): boolean {
  if (value === '' || value === 0 || value === false || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return isJsonObject(value) && Object.keys(value).length === 0;
}

interface ConvertContext {
  /** Definitions being expanded, outermost first: a repeat is a cycle and is cut. */
  readonly stack: readonly string[];
  /** Status counters keep upstream's zero defaults (they are required there); spec types drop them. */
  readonly keepZeroDefaults: boolean;
}

type DefinitionPatch = (schema: Schema) => void;

class Converter {
  readonly definitions: Definitions;
  readonly definitionPatches: ReadonlyMap<string, DefinitionPatch>;

  constructor(definitions: Definitions, definitionPatches: ReadonlyMap<string, DefinitionPatch>) {
    this.definitions = definitions;
    this.definitionPatches = definitionPatches;
  }

  definition(name: string): JsonObject {
    const schema = this.definitions.schemas.get(name);
    if (!schema) throw new Error(`definition ${name} is not in ${path.relative(repoRoot, definitionsPath)}; run --refresh-openapi`);
    return schema;
  }

  /** A property of a definition, as upstream declares it (for descriptions). */
  property(name: string, property: string): JsonObject {
    const schema = field(field(this.definition(name), 'properties') ?? {}, property);
    if (!schema) throw new Error(`${name} has no property ${property}`);
    return schema;
  }

  convertDefinition(name: string, ctx: ConvertContext): Schema {
    if (name === intOrStringName) return intOrString();
    if (name === quantityName) return quantity();
    if (name === timeName) return { type: 'string', format: 'date-time' };
    if (name === objectMetaName) return this.templateMetadata();
    if (rawTypes.has(name)) return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    if (ctx.stack.includes(name)) {
      // A recursive type must end somewhere; keep what the user wrote below the repeat.
      return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    }
    const out = this.convert(this.definition(name), { ...ctx, stack: [...ctx.stack, name] });
    this.definitionPatches.get(name)?.(out);
    return out;
  }

  /** Nested ObjectMeta: only the fields a template may set, with upstream's descriptions. */
  templateMetadata(): Schema {
    const properties: Record<string, Schema> = {};
    for (const name of templateMetadataFields) {
      properties[name] = this.convert(this.property(objectMetaName, name), {
        stack: [objectMetaName],
        keepZeroDefaults: false,
      });
    }
    // Manifests written by older kubectl (`-o yaml`, `--dry-run=client`) carry
    // `creationTimestamp: null` in templates; apps/v1 accepts it, so strict field validation must too.
    // Declared without nullable, the null is dropped before it is stored.
    properties.creationTimestamp = {
      type: 'string',
      format: 'date-time',
      description:
        'Ignored in a template (the API server sets it on the objects made from it); accepted so that ' +
        'manifests carrying `creationTimestamp: null` convert unchanged.',
    };
    // upstream: IsValidLabelValue; also bounds the CEL selector rules that read template labels
    const labels = properties.labels?.additionalProperties;
    if (labels) labelValue(labels);
    return { type: 'object', properties };
  }

  convert(raw: JsonObject, ctx: ConvertContext): Schema {
    const ref = text(raw, '$ref') ?? singleAllOfRef(raw);
    let out: Schema;
    if (ref !== undefined) {
      out = this.convertDefinition(refName(ref), ctx);
    } else if (text(raw, 'format') === 'int-or-string') {
      out = intOrString();
    } else {
      out = this.convertInline(raw, ctx);
    }
    const description = text(raw, 'description');
    if (description !== undefined) out.description = description;
    const value = raw.default;
    if (value !== undefined && (!isZeroValue(value) || (ctx.keepZeroDefaults && !isJsonObject(value)))) out.default = value;
    return out;
  }

  convertInline(raw: JsonObject, ctx: ConvertContext): Schema {
    const type = text(raw, 'type');
    switch (type) {
      case 'object': {
        const out: Schema = { type: 'object' };
        const properties = field(raw, 'properties');
        if (properties) {
          out.properties = {};
          for (const [name, schema] of Object.entries(properties)) {
            if (isJsonObject(schema)) out.properties[name] = this.convert(schema, ctx);
          }
          const required = texts(raw, 'required').filter((name) => name in properties);
          if (required.length > 0) out.required = required;
        }
        const additional = field(raw, 'additionalProperties');
        if (additional) out.additionalProperties = this.convert(additional, ctx);
        if (!properties && !additional) out['x-kubernetes-preserve-unknown-fields'] = true;
        const mapType = text(raw, 'x-kubernetes-map-type');
        if (mapType === 'atomic' || mapType === 'granular') out['x-kubernetes-map-type'] = mapType;
        return out;
      }
      case 'array': {
        const items = field(raw, 'items');
        if (!items) throw new Error('array without items');
        const listType = text(raw, 'x-kubernetes-list-type');
        const mapKeys = listType === 'map' ? texts(raw, 'x-kubernetes-list-map-keys') : [];
        const out: Schema = { type: 'array', items: this.convertListItems(items, mapKeys, ctx) };
        if (listType === 'atomic' || listType === 'set' || listType === 'map') out['x-kubernetes-list-type'] = listType;
        if (mapKeys.length > 0) out['x-kubernetes-list-map-keys'] = mapKeys;
        return out;
      }
      case 'string':
      case 'integer':
      case 'number':
      case 'boolean': {
        const out: Schema = { type };
        const format = text(raw, 'format');
        if (format !== undefined && keptFormats[type]?.includes(format)) out.format = format;
        return out;
      }
      default:
        throw new Error(`unsupported schema type ${String(type)} in ${ctx.stack.join(' > ')}`);
    }
  }

  /**
   * List-map keys must be required or defaulted in a CRD: a key that is not required keeps its
   * upstream default even when that is a Go zero value.
   */
  convertListItems(items: JsonObject, mapKeys: readonly string[], ctx: ConvertContext): Schema {
    if (mapKeys.length === 0) return this.convert(items, ctx);
    const ref = text(items, '$ref') ?? singleAllOfRef(items);
    if (ref === undefined) return this.convert(items, ctx);
    const def = this.definition(refName(ref));
    const properties = field(def, 'properties') ?? {};
    const out = this.convert(items, ctx);
    for (const key of mapKeys) {
      const upstream = field(properties, key);
      const converted = out.properties?.[key];
      const required = out.required?.includes(key) ?? false;
      if (upstream && converted && !required && upstream.default !== undefined && converted.default === undefined) {
        converted.default = upstream.default;
      }
    }
    return out;
  }
}

function singleAllOfRef(raw: JsonObject): string | undefined {
  const allOf = raw.allOf;
  if (!Array.isArray(allOf) || allOf.length !== 1) return undefined;
  const only = allOf[0];
  return isJsonObject(only) ? text(only, '$ref') : undefined;
}

const isScalar = (schema: Schema | undefined): boolean =>
  schema?.type === 'string' || schema?.type === 'integer' || schema?.type === 'number' || schema?.type === 'boolean';

/**
 * apiextensions rules for list types: a set holds scalars; a map's items are objects whose keys are
 * scalar and required or defaulted. Anything upstream declares beyond that becomes atomic (whole-list
 * replace), which is what a CRD list is without the annotation.
 */
function normalizeListTypes(schema: Schema, where: string, notes: string[]): void {
  if (schema.type === 'array' && schema.items) {
    const items = schema.items;
    if (schema['x-kubernetes-list-type'] === 'set' && !isScalar(items)) {
      schema['x-kubernetes-list-type'] = 'atomic';
      notes.push(`${where}: set of non-scalars made atomic`);
    }
    if (schema['x-kubernetes-list-type'] === 'map') {
      const keys = schema['x-kubernetes-list-map-keys'] ?? [];
      const bad = keys.filter((key) => {
        const property = items.properties?.[key];
        return !isScalar(property) || (property?.default === undefined && !(items.required ?? []).includes(key));
      });
      if (items.type !== 'object' || keys.length === 0 || bad.length > 0) {
        schema['x-kubernetes-list-type'] = 'atomic';
        delete schema['x-kubernetes-list-map-keys'];
        notes.push(`${where}: list-map keys ${bad.join(', ')} neither required nor defaulted; made atomic`);
      }
    }
  }
  for (const [name, child] of children(schema)) normalizeListTypes(child, `${where}${name}`, notes);
}

/** Child schemas with their path suffix: `.name` for properties, `[]` for items, `{}` for map values. */
function children(schema: Schema): [string, Schema][] {
  const out: [string, Schema][] = [];
  for (const [name, child] of Object.entries(schema.properties ?? {})) out.push([`.${name}`, child]);
  if (schema.items) out.push(['[]', schema.items]);
  if (schema.additionalProperties) out.push(['{}', schema.additionalProperties]);
  return out;
}

/** The schema at a path such as `spec.template.spec.containers[].ports[].protocol` (`{}` = map value). */
function schemaAt(root: Schema, where: string): Schema {
  let node = root;
  for (const token of where.match(/[^.[\]{}]+|\[\]|\{\}/g) ?? []) {
    const next = token === '[]' ? node.items : token === '{}' ? node.additionalProperties : node.properties?.[token];
    if (!next) throw new Error(`schema path ${where}: no ${token}`);
    node = next;
  }
  return node;
}

// ---------------------------------------------------------------------------------------------
// Patches: defaults and validation added to the converted schema
// ---------------------------------------------------------------------------------------------

type Patch = (schema: Schema) => void;

const compose =
  (...patches: Patch[]): Patch =>
  (schema) => {
    for (const patch of patches) patch(schema);
  };
const withDefault =
  (value: Json): Patch =>
  (schema) => {
    schema.default = value;
  };
const withEnum =
  (...values: string[]): Patch =>
  (schema) => {
    schema.enum = values;
  };
const withRange =
  (minimum: number, maximum?: number): Patch =>
  (schema) => {
    schema.minimum = minimum;
    if (maximum !== undefined) schema.maximum = maximum;
  };
const withRequired =
  (...names: string[]): Patch =>
  (schema) => {
    const missing = names.filter((name) => !schema.properties?.[name]);
    if (missing.length > 0) throw new Error(`required ${missing.join(', ')}: no such properties`);
    schema.required = [...new Set([...(schema.required ?? []), ...names])];
  };
const withRules =
  (...rules: ValidationRule[]): Patch =>
  (schema) => {
    schema['x-kubernetes-validations'] = [...(schema['x-kubernetes-validations'] ?? []), ...rules];
  };
const withProperty =
  (name: string, property: Schema): Patch =>
  (schema) => {
    schema.properties = { ...schema.properties, [name]: property };
  };
/** How `kubectl explain` tells a field of ours from apps/v1's: the first words of its description. */
export const extensionMark = 'Extension (not in apps/v1):';
/**
 * Adds a field that apps/v1 does not have (docs/rollout-control.md), with the description it must
 * carry, marked as an extension. Fails if the upstream definition declares the name, so an
 * apps/v1 field added by a later Kubernetes version is never silently shadowed by ours.
 */
const withExtension =
  (name: string, description: string, property: Omit<Schema, 'description'>): Patch =>
  (schema) => {
    if (schema.properties?.[name]) throw new Error(`extension ${name}: the schema already has that property`);
    schema.properties = { ...schema.properties, [name]: { ...property, description: `${extensionMark} ${description}` } };
  };
/** Replaces a property's schema, given the converted one. */
const replaceProperty =
  (name: string, replace: (property: Schema) => Schema): Patch =>
  (schema) => {
    const property = schema.properties?.[name];
    if (!property) throw new Error(`no property ${name}`);
    schema.properties = { ...schema.properties, [name]: replace(property) };
  };
const onProperty =
  (name: string, patch: Patch): Patch =>
  (schema) => {
    const property = schema.properties?.[name];
    if (!property) throw new Error(`no property ${name}`);
    patch(property);
  };
const onItems =
  (patch: Patch): Patch =>
  (schema) => {
    if (!schema.items) throw new Error('not a list');
    patch(schema.items);
  };

const withMaxLength =
  (maxLength: number): Patch =>
  (schema) => {
    schema.maxLength = maxLength;
  };
const withMaxProperties =
  (maxProperties: number): Patch =>
  (schema) => {
    schema.maxProperties = maxProperties;
  };
const withItems =
  (bounds: { minItems?: number; maxItems?: number }): Patch =>
  (schema) => {
    if (bounds.minItems !== undefined) schema.minItems = bounds.minItems;
    if (bounds.maxItems !== undefined) schema.maxItems = bounds.maxItems;
  };
const withPattern =
  (pattern: string): Patch =>
  (schema) => {
    schema.pattern = pattern;
  };
const onAdditional =
  (patch: Patch): Patch =>
  (schema) => {
    if (!schema.additionalProperties) throw new Error('not a map');
    patch(schema.additionalProperties);
  };

/** DNS-1123 label (RFC 1123): pod, container, volume and service names. */
const dns1123Label = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** apiextensions format for a DNS-1123 label (≤ 63 characters), validated without CEL cost. */
const shortName: Patch = (schema) => {
  schema.format = 'k8s-short-name';
};
/** apiextensions format for a DNS-1123 subdomain (≤ 253 characters): NameIsDNSSubdomain. */
const longName: Patch = (schema) => {
  schema.format = 'k8s-long-name';
};
/** An anchored pattern that also accepts the empty string. */
const optionalPattern = (pattern: string): string => `^(${pattern.replace(/^\^/, '').replace(/\$$/, '')})?$`;

/** upstream: ValidateTolerations, the rules that relate a toleration's fields. */
const tolerationRules: ValidationRule[] = [
  {
    rule: "(has(self.key) && size(self.key) > 0) || (has(self.operator) && self.operator == 'Exists')",
    message: 'operator must be Exists when `key` is empty, which means "match all values and all keys"',
    fieldPath: '.operator',
  },
  {
    rule: "!has(self.operator) || self.operator != 'Exists' || !has(self.value) || size(self.value) == 0",
    message: "value must be empty when `operator` is 'Exists'",
    fieldPath: '.operator',
  },
  {
    rule: "!has(self.tolerationSeconds) || (has(self.effect) && self.effect == 'NoExecute')",
    message: "effect must be 'NoExecute' when `tolerationSeconds` is set",
    fieldPath: '.effect',
  },
  {
    // Equal (or unset, which means Equal): the value is a label value (IsValidLabelValue)
    rule: `(has(self.operator) && self.operator != '' && self.operator != 'Equal') || !has(self.value) || self.value.matches('${labelValuePattern}')`,
    message:
      "value must be a valid label value when `operator` is Equal: at most 63 characters, alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric",
    fieldPath: '.operator',
  },
];

const nonEmpty: Patch = (schema) => {
  schema.minLength = 1;
};

/**
 * Per-definition patches, applied wherever the definition is inlined. Defaults are core/v1's
 * (pkg/apis/core/v1/defaults.go) that do not depend on other fields; validation is
 * pkg/apis/core/validation's, where a schema keyword says it exactly.
 */
function definitionPatches(): Map<string, DefinitionPatch> {
  const core = 'io.k8s.api.core.v1.';
  // upstream: SetDefaults_Container; validateContainerCommon requires name (DNS label) and image.
  // imagePullPolicy depends on the image tag, so it is left to pod defaulting.
  const container = compose(
    withRequired('name', 'image'),
    onProperty('name', shortName),
    onProperty('image', nonEmpty),
    onProperty('terminationMessagePath', withDefault('/dev/termination-log')),
    onProperty('terminationMessagePolicy', compose(withDefault('File'), withEnum('File', 'FallbackToLogsOnError'))),
  );
  return new Map<string, DefinitionPatch>([
    [`${core}Container`, container],
    [`${core}EphemeralContainer`, container],
    // upstream: validateContainerPorts
    [
      `${core}ContainerPort`,
      compose(
        onProperty('containerPort', withRange(1, 65535)),
        onProperty('hostPort', withRange(0, 65535)),
        onProperty('protocol', withEnum('TCP', 'UDP', 'SCTP')),
      ),
    ],
    // upstream: ValidateTolerations. Enums and bounds as schema keywords; the rules between fields
    // as CEL, each on the path upstream reports (value errors are reported on `operator` there).
    // Operators Lt and Gt are behind the TaintTolerationComparisonOperators gate (alpha in 1.36):
    // the schema lets them through and the webhook's dry run applies the cluster's gate.
    [
      `${core}Toleration`,
      compose(
        onProperty('key', compose(withMaxLength(labelKeyMaxLength), withPattern(optionalPattern(qualifiedNamePattern)))),
        onProperty('operator', withEnum('', 'Equal', 'Exists', 'Lt', 'Gt')),
        onProperty('effect', withEnum('', 'NoSchedule', 'PreferNoSchedule', 'NoExecute')),
        // a label value for Equal, empty for Exists, a decimal int64 for Lt/Gt: never longer
        onProperty('value', withMaxLength(labelValueMaxLength)),
        withRules(...tolerationRules),
      ),
    ],
    // upstream: ValidatePodSpec. nodeSelector values are label values (keys: the webhook, since a
    // rule over every key of an unbounded map exceeds the CEL cost budget); names that admission
    // resolves against other objects are DNS subdomains (probe.ts in src/admission relies on it).
    [
      `${core}PodSpec`,
      compose(
        onProperty('nodeSelector', onAdditional(labelValue)),
        onProperty('priorityClassName', longName),
        onProperty('runtimeClassName', longName),
        onProperty('serviceAccountName', longName),
        onProperty('preemptionPolicy', withEnum('PreemptLowerPriority', 'Never')),
      ),
    ],
    // upstream: validateVolumes (name is a DNS label)
    [`${core}Volume`, onProperty('name', shortName)],
    [`${core}HostPathVolumeSource`, onProperty('type', withDefault(''))],
    [
      `${core}Probe`,
      compose(
        onProperty('timeoutSeconds', withDefault(1)),
        onProperty('periodSeconds', withDefault(10)),
        onProperty('successThreshold', withDefault(1)),
        onProperty('failureThreshold', withDefault(3)),
      ),
    ],
    [
      `${core}HTTPGetAction`,
      compose(onProperty('path', withDefault('/')), onProperty('scheme', compose(withDefault('HTTP'), withEnum('HTTP', 'HTTPS')))),
    ],
    [`${core}SecretVolumeSource`, onProperty('defaultMode', withDefault(0o644))],
    [`${core}ConfigMapVolumeSource`, onProperty('defaultMode', withDefault(0o644))],
    [`${core}DownwardAPIVolumeSource`, onProperty('defaultMode', withDefault(0o644))],
    [`${core}ProjectedVolumeSource`, onProperty('defaultMode', withDefault(0o644))],
    [`${core}ServiceAccountTokenProjection`, onProperty('expirationSeconds', withDefault(3600))],
    [`${core}ObjectFieldSelector`, onProperty('apiVersion', withDefault('v1'))],
    // upstream: SetDefaults_PersistentVolumeClaimSpec; ValidatePersistentVolumeClaimSpec access modes
    [
      `${core}PersistentVolumeClaimSpec`,
      compose(
        onProperty('volumeMode', compose(withDefault('Filesystem'), withEnum('Filesystem', 'Block'))),
        onProperty('accessModes', onItems(withEnum('ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'))),
      ),
    ],
    // upstream: ValidateLabelSelectorRequirement, NodeSelectorRequirement operators
    [
      'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement',
      onProperty('operator', withEnum('In', 'NotIn', 'Exists', 'DoesNotExist')),
    ],
    [`${core}NodeSelectorRequirement`, onProperty('operator', withEnum('In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'))],
  ]);
}

// ---------------------------------------------------------------------------------------------
// CEL rules shared by both kinds (upstream: pkg/apis/apps/validation/validation.go)
// ---------------------------------------------------------------------------------------------

/** The template's labels, or an empty map (CRD CEL has no cel.bind, so rules repeat this). */
const labels = 'self.template.?metadata.?labels.orValue({})';

function selectorRules(kind: string): { selector: ValidationRule[]; spec: ValidationRule[] } {
  return {
    selector: [
      {
        // upstream: "empty selector is invalid for daemonset" / "for statefulset"
        rule: "(has(self.matchLabels) && size(self.matchLabels) > 0) || (has(self.matchExpressions) && size(self.matchExpressions) > 0)",
        message: `selector must not be empty: an empty selector is invalid for a ${kind}; set matchLabels or matchExpressions`,
        reason: 'FieldValueRequired',
      },
      {
        // upstream: ValidateDaemonSetSpecUpdate (immutable selector), ValidateStatefulSetUpdate
        rule: 'self == oldSelf',
        message: 'selector is immutable',
      },
    ],
    spec: [
      {
        // upstream: `selector` does not match template `labels` (labels.Selector.Matches)
        rule: `!has(self.selector.matchLabels) || self.selector.matchLabels.all(k, k in ${labels} && ${labels}[k] == self.selector.matchLabels[k])`,
        message: 'selector does not match template labels: spec.template.metadata.labels must contain every spec.selector.matchLabels entry',
        fieldPath: '.template.metadata.labels',
      },
      {
        rule:
          '!has(self.selector.matchExpressions) || self.selector.matchExpressions.all(e, ' +
          `e.operator == 'In' ? (e.key in ${labels} && has(e.values) && ${labels}[e.key] in e.values) : ` +
          `e.operator == 'NotIn' ? !(e.key in ${labels} && has(e.values) && ${labels}[e.key] in e.values) : ` +
          `e.operator == 'Exists' ? e.key in ${labels} : ` +
          `!(e.key in ${labels}))`,
        message: 'selector does not match template labels: spec.template.metadata.labels must satisfy every spec.selector.matchExpressions requirement',
        fieldPath: '.template.metadata.labels',
      },
    ],
  };
}

/** upstream: ValidateLabelSelectorRequirement (values required for In/NotIn, forbidden for Exists/DoesNotExist). */
const selectorRequirementRule: ValidationRule = {
  rule: "self.operator in ['In', 'NotIn'] ? (has(self.values) && size(self.values) > 0) : (!has(self.values) || size(self.values) == 0)",
  message: 'values must be non-empty when operator is In or NotIn, and empty when operator is Exists or DoesNotExist',
  fieldPath: '.values',
};

/**
 * upstream: validateDaemonSetStatus, ValidateStatefulSetStatus, ValidateDeploymentStatus,
 * ValidateReplicaSetStatus (every count non-negative) and their StatusUpdate checks
 * (collisionCount never decreases; ReplicaSet status has none).
 */
const statusPatch: Patch = (schema) => {
  for (const property of Object.values(schema.properties ?? {})) {
    if (property.type === 'integer') property.minimum = 0;
  }
  if (!schema.properties?.collisionCount) return;
  withRules({
    rule: '!has(oldSelf.collisionCount) || (has(self.collisionCount) && self.collisionCount >= oldSelf.collisionCount)',
    message: 'status.collisionCount cannot be decremented',
    fieldPath: '.collisionCount',
  })(schema);
};

/** A status count, 0 when absent (the Go field's zero value upstream compares). */
const statusCount = (name: string): string => `(has(self.${name}) ? self.${name} : 0)`;

/**
 * upstream: the status validations' "cannot be greater than status.replicas" (and "…than
 * readyReplicas") checks, one rule per [count, bound] pair, reported on the count.
 */
function statusBoundRules(pairs: readonly (readonly [count: string, bound: string])[]): ValidationRule[] {
  return pairs.map(([name, bound]) => ({
    rule: `${statusCount(name)} <= ${statusCount(bound)}`,
    message: `status.${name} cannot be greater than status.${bound}`,
    fieldPath: `.${name}`,
  }));
}

/** The string form of the selector the scale subresource reads (labelSelectorPath), which the controllers write. */
const scaleSelectorStatus: Patch = withProperty('selector', {
  type: 'string',
  description:
    'selector is the label selector of the pods, serialized as a string (as in a label query), for the scale subresource and the HorizontalPodAutoscaler.',
});

/**
 * Pod template rules and defaults every workload kind shares. MyDeployment and MyReplicaSet rely
 * on it being the same everywhere: the Deployment controller finds its new ReplicaSet by comparing
 * templates, so a default applied on one side only would make them never equal.
 */
function podTemplatePatches(kind: string): [string, Patch][] {
  return [
    ['status', statusPatch],
    // Bounds that keep the selector rules within the CEL cost budget. Label values are at most 63
    // characters and keys at most 317 (253-character prefix, '/', 63-character name) upstream; the
    // entry counts are ours (upstream has none; real selectors have a handful).
    ['spec.selector.matchLabels', compose(withMaxProperties(selectorMaxEntries), onAdditional(labelValue))],
    ['spec.selector.matchExpressions', withItems({ maxItems: selectorMaxEntries })],
    ['spec.selector.matchExpressions[].key', compose(withMaxLength(labelKeyMaxLength), withPattern(qualifiedNamePattern))],
    ['spec.selector.matchExpressions[].values', compose(withItems({ maxItems: selectorMaxEntries }), onItems(labelValue))],
    ['spec.selector.matchExpressions[]', withRules(selectorRequirementRule)],
    // upstream: SetDefaults_PodSpec; apps validation allows only restartPolicy Always
    ['spec.template.spec.restartPolicy', compose(withDefault('Always'), withEnum('Always'))],
    [
      'spec.template.spec.dnsPolicy',
      compose(withDefault('ClusterFirst'), withEnum('ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None')),
    ],
    ['spec.template.spec.schedulerName', withDefault('default-scheduler')],
    ['spec.template.spec.terminationGracePeriodSeconds', withDefault(30)],
    ['spec.template.spec.securityContext', withDefault({})],
    [
      'spec.template.spec',
      withRules(
        {
          // upstream: "activeDeadlineSeconds in DaemonSet is not Supported"
          rule: '!has(self.activeDeadlineSeconds)',
          message: `activeDeadlineSeconds is forbidden in a ${kind} pod template: its pods run until the controller deletes them`,
          fieldPath: '.activeDeadlineSeconds',
          reason: 'FieldValueForbidden',
        },
        {
          // upstream: validateInitContainers, names unique across containers and initContainers
          // (each list's own uniqueness is its list-map key)
          rule: '!has(self.initContainers) || self.initContainers.all(i, self.containers.all(c, c.name != i.name))',
          message: 'initContainers names must differ from containers names: container names are unique across both lists',
          fieldPath: '.initContainers',
          // FieldValueDuplicate would print no message
        },
      ),
    ],
    // These maxItems bound that rule's cost (upstream has none; no real pod has that many
    // containers). Names are DNS labels, at most 63 characters.
    ['spec.template.spec.containers', withItems({ minItems: 1, maxItems: containersMaxItems })],
    ['spec.template.spec.initContainers', withItems({ maxItems: containersMaxItems })],
    ['spec.template.spec.tolerations', withItems({ maxItems: tolerationsMaxItems })],
    ['spec.template.spec.containers[].name', withMaxLength(dns1123LabelMaxLength)],
    ['spec.template.spec.initContainers[].name', withMaxLength(dns1123LabelMaxLength)],
    // upstream: ValidatePodTemplateSpec, "ephemeral containers not allowed in pod template". The
    // field stays (field for field) without its ~50 KiB item schema, since no value is accepted.
    [
      'spec.template.spec',
      replaceProperty('ephemeralContainers', (upstream) => ({
        type: 'array',
        description: `${upstream.description ?? ''} Not allowed in a pod template.`.trim(),
        items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        'x-kubernetes-list-type': 'atomic',
        'x-kubernetes-validations': [
          {
            rule: 'size(self) == 0',
            message: 'ephemeralContainers are not allowed in a pod template',
            reason: 'FieldValueForbidden',
          },
        ],
      })),
    ],
  ];
}

// ---------------------------------------------------------------------------------------------
// Description budget: `kubectl apply -f crds/` (client-side apply)
// ---------------------------------------------------------------------------------------------

/**
 * Client-side apply stores the whole CRD, as compact JSON, in the
 * kubectl.kubernetes.io/last-applied-configuration annotation, and the API server caps an object's
 * annotations at 256 KiB together (upstream: apimachinery pkg/api/validation ValidateAnnotationsSize,
 * TotalAnnotationSizeLimitB). Upstream's descriptions are four fifths of each CRD, so the ones that
 * repeat or that sit deepest are dropped until each CRD fits this, with room to spare.
 */
const lastAppliedBudgetBytes = 230_000;

/** Removes the descriptions of a schema and of everything below it; types and validation stay. */
function dropDescriptions(schema: Schema): void {
  delete schema.description;
  for (const [, child] of children(schema)) dropDescriptions(child);
}

/**
 * Where descriptions go, in the order they cost least to `kubectl explain`:
 *   - initContainers items: the Container schema again, word for word; the list's own description
 *     points at containers, where every field stays described.
 *   - below each volume source (volumes[].configMap, .projected, .ephemeral, …): each source keeps
 *     its own description, its fields (some hundreds, down to projected and ephemeral claim
 *     templates) keep their names, types and validation only.
 * Everything else (spec, status, the pod spec, containers, volumeClaimTemplates) keeps upstream's text.
 */
function descriptionTrims(spec: KindSpec): [string, Patch][] {
  const containers = `kubectl explain ${spec.shortNames[0] ?? spec.plural}.spec.template.spec.containers`;
  return [
    [
      'spec.template.spec.initContainers',
      (schema) => {
        if (!schema.items) throw new Error('not a list');
        dropDescriptions(schema.items);
        const upstream = schema.description ?? '';
        schema.description = `${upstream} Each item has the fields of containers, described there (${containers}).`.trim();
      },
    ],
    [
      'spec.template.spec.volumes[]',
      (schema) => {
        for (const [name, source] of Object.entries(schema.properties ?? {})) {
          if (name === 'name') continue;
          for (const [, child] of children(source)) dropDescriptions(child);
        }
      },
    ],
  ];
}

// ---------------------------------------------------------------------------------------------
// int-or-percent values (upstream: ValidatePositiveIntOrPercent, IsNotMoreThan100Percent)
// ---------------------------------------------------------------------------------------------

/** A percentage string with value 0–100 (IsValidPercent + IsNotMoreThan100Percent), leading zeros allowed. */
const percentUpTo100 = '^0*(100|[0-9]?[0-9])%$';
const percentOneTo100 = '^0*(100|[1-9][0-9]?)%$';
const zeroPercent = '^0+%$';
/** upstream: IsValidPercent, any number of digits then '%' (no upper bound: maxSurge may exceed 100%). */
const anyPercent = '^[0-9]+%$';
const nonNegativeIntOrPercent = (x: string): string => `(type(${x}) == int ? ${x} >= 0 : ${x}.matches('${percentUpTo100}'))`;
const isZeroIntOrPercent = (x: string): string => `(type(${x}) == int ? ${x} == 0 : ${x}.matches('${zeroPercent}'))`;

// ---------------------------------------------------------------------------------------------
// Rollout control (docs/rollout-control.md): extension fields, none defaulted (unset = off)
// ---------------------------------------------------------------------------------------------

/**
 * upstream: ValidateDeploymentSpec, "must be greater than minReadySeconds". Also on MyDaemonSet
 * and MyStatefulSet, whose progressDeadlineSeconds is ours: a deadline no longer than the wait for
 * availability would expire before any pod can count as available.
 */
const progressDeadlineRule: ValidationRule = {
  rule: '!has(self.progressDeadlineSeconds) || self.progressDeadlineSeconds > (has(self.minReadySeconds) ? self.minReadySeconds : 0)',
  message: 'progressDeadlineSeconds must be greater than minReadySeconds',
  fieldPath: '.progressDeadlineSeconds',
};

const autoRollback = withExtension(
  'autoRollback',
  'when the progress deadline is exceeded, bring every pod back to status.stableRevision without writing the spec, until the spec changes. Unset: false.',
  { type: 'boolean' },
);

/** spec.paused, spec.progressDeadlineSeconds and spec.autoRollback of MyDaemonSet and MyStatefulSet. */
const rolloutControlSpec: Patch = compose(
  withExtension(
    'paused',
    'while true, no pod is replaced because of a template change (missing pods are still created) and no progress deadline runs. Unset: false.',
    { type: 'boolean' },
  ),
  withExtension(
    'progressDeadlineSeconds',
    'seconds a rollout may make no progress before condition Progressing turns False with reason ProgressDeadlineExceeded. Unset: no deadline.',
    { type: 'integer', format: 'int32', minimum: 1 },
  ),
  autoRollback,
  withRules(progressDeadlineRule),
);

/** Where status.stableRevision points: ControllerRevisions, or a MyDeployment's MyReplicaSets. */
function rolloutControlStatus(revisions: 'ControllerRevision' | 'MyReplicaSet'): Patch {
  const int64Field = (description: string): Schema => ({ type: 'integer', format: 'int64', minimum: 0, description });
  return compose(
    withExtension(
      'stableRevision',
      `name of the ${revisions} of the last rollout that completed with every pod updated and available: where autoRollback returns.`,
      { type: 'string' },
    ),
    // No `nullable`: the controllers remove it with a merge patch null, which deletes the key before
    // the object is decoded and validated; a null in a full update is pruned likewise.
    withExtension('rollback', 'the automatic rollback in force while generation equals metadata.generation.', {
      type: 'object',
      properties: {
        generation: int64Field('The generation whose rollout failed; a new generation ends the rollback.'),
        revision: { type: 'string', description: `Name of the ${revisions} rolled back to.` },
        revisionNumber: int64Field('Its revision number when the rollback started.'),
        failedRevision: { type: 'string', description: `Name of the ${revisions} whose rollout failed.` },
        failedRevisionNumber: int64Field('Its revision number.'),
      },
      required: ['generation', 'revision'],
    }),
  );
}

/** MyDaemonSet and MyStatefulSet conditions carry DeploymentCondition's lastUpdateTime. */
const conditionLastUpdateTime: Patch = withExtension(
  'lastUpdateTime',
  'the last time this condition was updated (as a Deployment condition); Progressing: the last progress, from which progressDeadlineSeconds counts.',
  { type: 'string', format: 'date-time' },
);

/**
 * OpenKruise's rollingUpdate.selector on a MyDaemonSet: spec.selector's schema (a LabelSelector
 * with the label syntax and requirement rules) without its own rules (non-empty, immutable), which
 * a canary selector does not have. Applied to `spec`, after the selector's patches.
 */
const canarySelector: Patch = (spec) => {
  const selector = spec.properties?.selector;
  const rollingUpdate = spec.properties?.updateStrategy?.properties?.rollingUpdate;
  if (!selector || !rollingUpdate) throw new Error('canary selector: no spec.selector or spec.updateStrategy.rollingUpdate');
  const copy = structuredClone(selector);
  delete copy.description;
  delete copy['x-kubernetes-validations'];
  withExtension(
    'selector',
    'only nodes whose labels match it are updated; the others keep the revision they run. Unset: every node.',
    copy,
  )(rollingUpdate);
};

const canaryPartition = withExtension(
  'partition',
  'of the nodes the update may touch, this many keep the old revision: the last ones by node name. Unset: 0.',
  { type: 'integer', format: 'int32', minimum: 0 },
);

// ---------------------------------------------------------------------------------------------
// The kinds
// ---------------------------------------------------------------------------------------------

interface PrinterColumn {
  name: string;
  type: 'integer' | 'string' | 'date';
  jsonPath: string;
  description: string;
  priority?: number;
}

interface KindSpec {
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  /** The apps/v1 kind mirrored: its definitions give spec, status and descriptions. */
  readonly upstream: 'DaemonSet' | 'StatefulSet' | 'Deployment' | 'ReplicaSet';
  readonly patches: readonly [string, Patch][];
  readonly rootRules: readonly ValidationRule[];
  readonly columns: readonly PrinterColumn[];
  readonly scale: boolean;
}

const column = (name: string, type: PrinterColumn['type'], jsonPath: string, description: string, priority?: number): PrinterColumn =>
  priority === undefined ? { name, type, jsonPath, description } : { name, type, jsonPath, description, priority };
const age = column('Age', 'date', '.metadata.creationTimestamp', 'Time since creation');
/** kubectl get -o wide (priority 1) */
const wideColumns: PrinterColumn[] = [
  column('Containers', 'string', '.spec.template.spec.containers[*].name', 'Container names in the pod template', 1),
  column('Images', 'string', '.spec.template.spec.containers[*].image', 'Container images in the pod template', 1),
];

function daemonSetKind(): KindSpec {
  const rules = selectorRules('MyDaemonSet');
  const ru = 'self.rollingUpdate';
  // upstream: ValidateDaemonSetUpdateStrategy validates rollingUpdate only for type RollingUpdate
  const whenRolling = (rule: string): string => `(has(self.type) && self.type != 'RollingUpdate') || !has(${ru}) || (${rule})`;
  return {
    kind: 'MyDaemonSet',
    plural: 'mydaemonsets',
    singular: 'mydaemonset',
    shortNames: ['mds'],
    upstream: 'DaemonSet',
    rootRules: [],
    scale: false,
    // kubectl get ds
    columns: [
      column('Desired', 'integer', '.status.desiredNumberScheduled', 'Nodes that should run the daemon pod'),
      column('Current', 'integer', '.status.currentNumberScheduled', 'Nodes running at least one daemon pod that should'),
      column('Ready', 'integer', '.status.numberReady', 'Nodes whose daemon pod is Ready'),
      column('Up-to-date', 'integer', '.status.updatedNumberScheduled', 'Nodes running the current template'),
      column('Available', 'integer', '.status.numberAvailable', 'Nodes whose daemon pod is available (Ready for minReadySeconds)'),
      column('Node Selector', 'string', '.spec.template.spec.nodeSelector', 'The pod template nodeSelector'),
      age,
      ...wideColumns,
      column('Selector', 'string', '.spec.selector', 'Label selector for the daemon pods', 1),
    ],
    patches: [
      ['spec.selector', withRules(...rules.selector)],
      ['spec', withRules(...rules.spec)],
      ...podTemplatePatches('MyDaemonSet'),
      // upstream: SetDefaults_DaemonSet. `default: {}` on rollingUpdate lets the field defaults below
      // fill a partial or absent rollingUpdate (upstream does so only for type RollingUpdate; with
      // OnDelete the extra rollingUpdate is inert and, as upstream, not validated).
      [
        'spec.updateStrategy',
        compose(
          withDefault({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }),
          withRules(
            {
              rule: whenRolling(`!has(${ru}.maxUnavailable) || ${nonNegativeIntOrPercent(`${ru}.maxUnavailable`)}`),
              message: "rollingUpdate.maxUnavailable must be a non-negative integer or a percentage (e.g. '25%') not greater than 100%",
              fieldPath: '.rollingUpdate.maxUnavailable',
            },
            {
              rule: whenRolling(`!has(${ru}.maxSurge) || ${nonNegativeIntOrPercent(`${ru}.maxSurge`)}`),
              message: "rollingUpdate.maxSurge must be a non-negative integer or a percentage (e.g. '25%') not greater than 100%",
              fieldPath: '.rollingUpdate.maxSurge',
            },
            {
              // upstream: ValidateRollingUpdateDaemonSet, "exactly one of MaxSurge or MaxUnavailable is non-zero"
              rule: whenRolling(
                `!has(${ru}.maxSurge) || !has(${ru}.maxUnavailable) || ${isZeroIntOrPercent(`${ru}.maxSurge`)} || ${isZeroIntOrPercent(`${ru}.maxUnavailable`)}`,
              ),
              message: 'rollingUpdate.maxSurge may not be set when rollingUpdate.maxUnavailable is non-zero (set maxUnavailable: 0 to surge)',
              fieldPath: '.rollingUpdate.maxSurge',
            },
            {
              rule: whenRolling(
                `(has(${ru}.maxUnavailable) && !${isZeroIntOrPercent(`${ru}.maxUnavailable`)}) || (has(${ru}.maxSurge) && !${isZeroIntOrPercent(`${ru}.maxSurge`)})`,
              ),
              message: 'rollingUpdate.maxUnavailable cannot be 0 when rollingUpdate.maxSurge is 0',
              fieldPath: '.rollingUpdate.maxUnavailable',
              reason: 'FieldValueRequired',
            },
          ),
        ),
      ],
      ['spec.updateStrategy.type', compose(withDefault('RollingUpdate'), withEnum('RollingUpdate', 'OnDelete'))],
      ['spec.updateStrategy.rollingUpdate', withDefault({})],
      ['spec.updateStrategy.rollingUpdate.maxUnavailable', withDefault(1)],
      ['spec.updateStrategy.rollingUpdate.maxSurge', withDefault(0)],
      ['spec.minReadySeconds', compose(withDefault(0), withRange(0))],
      ['spec.revisionHistoryLimit', compose(withDefault(10), withRange(0))],
      // docs/rollout-control.md. No partition default: the strategy default above stays apps/v1's.
      ['spec', rolloutControlSpec],
      ['spec.updateStrategy.rollingUpdate', canaryPartition],
      ['spec', canarySelector],
      ['status', rolloutControlStatus('ControllerRevision')],
      ['status.conditions[]', conditionLastUpdateTime],
    ],
  };
}

function statefulSetKind(): KindSpec {
  const rules = selectorRules('MyStatefulSet');
  const mutable =
    'only replicas, ordinals, template, updateStrategy, revisionHistoryLimit, persistentVolumeClaimRetentionPolicy, minReadySeconds, ' +
    'paused, progressDeadlineSeconds and autoRollback may change, and volumeClaimTemplates[*].spec.resources.requests.storage may grow';
  return {
    kind: 'MyStatefulSet',
    plural: 'mystatefulsets',
    singular: 'mystatefulset',
    shortNames: ['msts'],
    upstream: 'StatefulSet',
    scale: true,
    rootRules: [
      {
        // upstream: ValidateStatefulSetName (apimachinery NameIsDNSLabel): pods are named <name>-<ordinal>
        rule: `size(self.metadata.name) <= 63 && self.metadata.name.matches('${dns1123Label}')`,
        message:
          "metadata.name must be a DNS-1123 label (at most 63 characters: lower-case letters, digits and '-', starting and ending with a letter or digit), because pods are named <name>-<ordinal>",
        // no fieldPath: it must name a declared property, and the root metadata schema stays default
      },
    ],
    // kubectl get sts prints READY as ready/replicas, which a column cannot compute: both are shown.
    columns: [
      column('Desired', 'integer', '.spec.replicas', 'Desired replicas'),
      column('Current', 'integer', '.status.replicas', 'Pods created by the controller'),
      column('Ready', 'integer', '.status.readyReplicas', 'Pods with a Ready condition'),
      column('Up-to-date', 'integer', '.status.updatedReplicas', 'Pods at the update revision'),
      column('Available', 'integer', '.status.availableReplicas', 'Pods Ready for at least minReadySeconds'),
      age,
      ...wideColumns,
      column('Service', 'string', '.spec.serviceName', 'Governing service', 1),
    ],
    patches: [
      ['spec.selector', withRules(...rules.selector)],
      [
        'spec',
        // upstream: ValidateStatefulSetUpdate; Semantic.DeepEqual treats empty and absent lists alike.
        // Changes between two non-empty lists are caught on the property.
        withRules(...rules.spec, claimTemplatesPresenceRule),
      ],
      // upstream: ValidateStatefulSetUpdate forbids changing every other spec field. serviceName and
      // podManagementPolicy are always present (defaulted), so a property rule sees every change.
      ['spec.podManagementPolicy', withRules({ rule: 'self == oldSelf', message: `podManagementPolicy is immutable: ${mutable}` })],
      ...podTemplatePatches('MyStatefulSet'),
      // upstream: SetDefaults_StatefulSet
      ['spec.replicas', compose(withDefault(1), withRange(0))],
      ['spec.podManagementPolicy', compose(withDefault('OrderedReady'), withEnum('OrderedReady', 'Parallel'))],
      [
        'spec.updateStrategy',
        compose(
          withDefault({ type: 'RollingUpdate', rollingUpdate: { partition: 0 } }),
          withRules({
            rule: "!has(self.rollingUpdate) || !has(self.type) || self.type == 'RollingUpdate'",
            message: "rollingUpdate is only allowed when updateStrategy.type is 'RollingUpdate'",
            fieldPath: '.rollingUpdate',
            reason: 'FieldValueForbidden',
          }),
        ),
      ],
      ['spec.updateStrategy.type', compose(withDefault('RollingUpdate'), withEnum('RollingUpdate', 'OnDelete'))],
      ['spec.updateStrategy.rollingUpdate.partition', compose(withDefault(0), withRange(0))],
      [
        // upstream: validateRollingUpdateStatefulSet. No default: unset means one pod at a time
        // (gate MaxUnavailableStatefulSet is off in 1.36 and upstream drops the field).
        'spec.updateStrategy.rollingUpdate.maxUnavailable',
        withRules({
          rule: `type(self) == int ? self >= 1 : self.matches('${percentOneTo100}')`,
          message: "rollingUpdate.maxUnavailable must be an integer of at least 1 or a percentage between 1% and 100% (e.g. '25%')",
        }),
      ],
      ['spec.persistentVolumeClaimRetentionPolicy', withDefault({ whenDeleted: 'Retain', whenScaled: 'Retain' })],
      ['spec.persistentVolumeClaimRetentionPolicy.whenDeleted', compose(withDefault('Retain'), withEnum('Retain', 'Delete'))],
      ['spec.persistentVolumeClaimRetentionPolicy.whenScaled', compose(withDefault('Retain'), withEnum('Retain', 'Delete'))],
      ['spec.minReadySeconds', compose(withDefault(0), withRange(0))],
      ['spec.revisionHistoryLimit', withDefault(10)],
      ['spec.ordinals.start', withRange(0)],
      [
        // upstream: serviceName is a non-pointer string (OpenAPI default ""); ValidateDNS1123Label
        // when non-empty. The default keeps it present, so the immutability rule sees every change.
        'spec.serviceName',
        compose(
          withDefault(''),
          withRules(
            {
              rule: `self == '' || (size(self) <= 63 && self.matches('${dns1123Label}'))`,
              message:
                "serviceName must be a DNS-1123 label (at most 63 characters: lower-case letters, digits and '-', starting and ending with a letter or digit)",
            },
            { rule: 'self == oldSelf', message: `serviceName is immutable: ${mutable}` },
          ),
        ),
      ],
      // upstream: ValidatePersistentVolumeClaimSpec (access mode and storage request required); the
      // claim name becomes a pod volume name, so it is a DNS label.
      ['spec.volumeClaimTemplates[]', withRequired('metadata', 'spec')],
      ['spec.volumeClaimTemplates[].metadata', withRequired('name')],
      ['spec.volumeClaimTemplates[].metadata.name', shortName],
      ['spec.volumeClaimTemplates[].spec', withRequired('accessModes', 'resources')],
      ['spec.volumeClaimTemplates[].spec.accessModes', withItems({ minItems: 1 })],
      ['spec.volumeClaimTemplates[].spec.resources', withRequired('requests')],
      // `required` on a map: the storage key must be present
      ['spec.volumeClaimTemplates[].spec.resources.requests', (schema) => (schema.required = ['storage'])],
      // docs/volume-growth.md: apps/v1's `self == oldSelf` but for growing storage requests (after
      // the required fields above, which the rules read without has())
      ['spec.volumeClaimTemplates', compose(boundClaimTemplates, (list) => withRules(...claimTemplateRules(list))(list))],
      // upstream: ValidateStatefulSetStatus
      [
        'status',
        withRules(
          ...statusBoundRules([
            ['readyReplicas', 'replicas'],
            ['currentReplicas', 'replicas'],
            ['updatedReplicas', 'replicas'],
            ['availableReplicas', 'replicas'],
            ['availableReplicas', 'readyReplicas'],
          ]),
        ),
      ],
      ['status', scaleSelectorStatus],
      [
        'status',
        withExtension(
          'volumeClaimTemplates',
          'for each claim template whose storage request has grown (docs/volume-growth.md), how many of the set\'s claims have their request patched and their capacity reached. Absent until a template has grown.',
          claimTemplatesStatus,
        ),
      ],
      // docs/rollout-control.md; mutable (only the fields above have immutability rules)
      ['spec', rolloutControlSpec],
      ['status', rolloutControlStatus('ControllerRevision')],
      ['status.conditions[]', conditionLastUpdateTime],
    ],
  };
}

/**
 * The selector column of `kubectl get deploy,rs -o wide`: status.selector, the string the
 * controllers write for the scale subresource, prints as kubectl prints a selector (`app=web`).
 */
const selectorColumn = column('Selector', 'string', '.status.selector', 'Label selector of the pods', 1);

/** upstream: ValidateRollingUpdateDeployment, ValidatePositiveIntOrPercent for one field. */
const intOrPercentRule = (name: string): ValidationRule => ({
  rule: `type(self) == int ? self >= 0 : self.matches('${anyPercent}')`,
  message: `${name} must be an integer greater than or equal to 0, or a valid percent string: digits followed by '%' (e.g. '25%')`,
});

function deploymentKind(): KindSpec {
  const rules = selectorRules('MyDeployment');
  return {
    kind: 'MyDeployment',
    plural: 'mydeployments',
    singular: 'mydeployment',
    shortNames: ['mdeploy'],
    upstream: 'Deployment',
    scale: true,
    rootRules: [],
    // kubectl get deploy prints READY as ready/replicas, which a column cannot compute: both are shown.
    columns: [
      column('Desired', 'integer', '.spec.replicas', 'Desired replicas'),
      column('Current', 'integer', '.status.replicas', 'Pods of all its replica sets (not terminating)'),
      column('Ready', 'integer', '.status.readyReplicas', 'Pods with a Ready condition'),
      column('Up-to-date', 'integer', '.status.updatedReplicas', 'Pods with the current template'),
      column('Available', 'integer', '.status.availableReplicas', 'Pods Ready for at least minReadySeconds'),
      age,
      ...wideColumns,
      selectorColumn,
    ],
    patches: [
      ['spec.selector', withRules(...rules.selector)],
      // upstream: ValidateDeploymentSpec. Always evaluated here: progressDeadlineSeconds is defaulted.
      ['spec', withRules(...rules.spec, progressDeadlineRule)],
      ...podTemplatePatches('MyDeployment'),
      // upstream: SetDefaults_Deployment. minReadySeconds and paused are plain Go fields there
      // (zero when absent), never defaulted, so they are not defaulted here either.
      ['spec.replicas', compose(withDefault(1), withRange(0))],
      ['spec.minReadySeconds', withRange(0)],
      ['spec.revisionHistoryLimit', compose(withDefault(10), withRange(0))],
      ['spec.progressDeadlineSeconds', compose(withDefault(600), withRange(0))],
      [
        // `default: {}` lets the type default fill an absent strategy. rollingUpdate gets no
        // default: upstream adds 25%/25% only when the type is RollingUpdate, which a static default
        // cannot condition on (with Recreate it would then be refused); the controller applies
        // those values as effective ones when the field is absent.
        'spec.strategy',
        compose(
          withDefault({}),
          withRules({
            // upstream: ValidateDeploymentStrategy
            rule: "!has(self.rollingUpdate) || !has(self.type) || self.type != 'Recreate'",
            message: "rollingUpdate may not be specified when strategy `type` is 'Recreate'",
            fieldPath: '.rollingUpdate',
            reason: 'FieldValueForbidden',
          }),
        ),
      ],
      ['spec.strategy.type', compose(withDefault('RollingUpdate'), withEnum('Recreate', 'RollingUpdate'))],
      [
        // upstream: ValidateRollingUpdateDeployment. An absent field counts as its default (25%),
        // so only two given zeros are refused; `0`, `'0%'` and `'00%'` are all zero.
        'spec.strategy.rollingUpdate',
        withRules({
          rule: `!has(self.maxSurge) || !has(self.maxUnavailable) || !(${isZeroIntOrPercent('self.maxSurge')} && ${isZeroIntOrPercent('self.maxUnavailable')})`,
          message: 'maxUnavailable may not be 0 when `maxSurge` is 0',
          fieldPath: '.maxUnavailable',
        }),
      ],
      ['spec.strategy.rollingUpdate.maxSurge', withRules(intOrPercentRule('maxSurge'))],
      [
        'spec.strategy.rollingUpdate.maxUnavailable',
        withRules(intOrPercentRule('maxUnavailable'), {
          // upstream: IsNotMoreThan100Percent (a malformed string is reported by the rule above)
          rule: `type(self) == int || !self.matches('${anyPercent}') || self.matches('${percentUpTo100}')`,
          message: 'maxUnavailable must not be greater than 100%',
        }),
      ],
      // upstream: ValidateDeploymentStatus
      [
        'status',
        withRules(
          ...statusBoundRules([
            ['updatedReplicas', 'replicas'],
            ['readyReplicas', 'replicas'],
            ['availableReplicas', 'replicas'],
            ['availableReplicas', 'readyReplicas'],
          ]),
        ),
      ],
      ['status', scaleSelectorStatus],
      // docs/rollout-control.md: paused and progressDeadlineSeconds are apps/v1's here
      ['spec', autoRollback],
      ['status', rolloutControlStatus('MyReplicaSet')],
    ],
  };
}

function replicaSetKind(): KindSpec {
  const rules = selectorRules('MyReplicaSet');
  return {
    kind: 'MyReplicaSet',
    plural: 'myreplicasets',
    singular: 'myreplicaset',
    shortNames: ['mrs'],
    upstream: 'ReplicaSet',
    scale: true,
    rootRules: [],
    // kubectl get rs
    columns: [
      column('Desired', 'integer', '.spec.replicas', 'Desired replicas'),
      column('Current', 'integer', '.status.replicas', 'Pods the replica set owns'),
      column('Ready', 'integer', '.status.readyReplicas', 'Pods with a Ready condition'),
      age,
      ...wideColumns,
      selectorColumn,
    ],
    patches: [
      ['spec.selector', withRules(...rules.selector)],
      ['spec', withRules(...rules.spec)],
      // upstream's OpenAPI leaves the template optional, but ValidateReplicaSetSpec validates the
      // (then empty) template as a pod template, which has no containers: absent is refused there too.
      ['spec', withRequired('template')],
      ...podTemplatePatches('MyReplicaSet'),
      // upstream: SetDefaults_ReplicaSet (replicas only)
      ['spec.replicas', compose(withDefault(1), withRange(0))],
      ['spec.minReadySeconds', withRange(0)],
      // upstream: ValidateReplicaSetStatus
      [
        'status',
        withRules(
          ...statusBoundRules([
            ['fullyLabeledReplicas', 'replicas'],
            ['readyReplicas', 'replicas'],
            ['availableReplicas', 'replicas'],
            ['availableReplicas', 'readyReplicas'],
          ]),
        ),
      ],
      ['status', scaleSelectorStatus],
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// CRD assembly
// ---------------------------------------------------------------------------------------------

export interface GeneratedCrd {
  readonly fileName: string;
  readonly crd: JsonObject;
  /** List types upstream declares that a CRD cannot carry, made atomic. */
  readonly notes: readonly string[];
}

export interface GenerateOptions {
  /**
   * Keep every upstream description (descriptionTrims not applied): the schema before trimming,
   * for comparing against; too large for client-side apply.
   */
  readonly fullDescriptions?: boolean;
}

function applyPatches(root: Schema, spec: KindSpec, patches: readonly [string, Patch][]): void {
  for (const [where, patch] of patches) {
    try {
      patch(schemaAt(root, where));
    } catch (err) {
      throw new Error(`${spec.kind} patch at ${where}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
}

function buildSchema(converter: Converter, spec: KindSpec, notes: string[], options: GenerateOptions): Schema {
  const upstream = `${appsPrefix}${spec.upstream}`;
  const specSchema = converter.convertDefinition(`${upstream}Spec`, { stack: [], keepZeroDefaults: false });
  const statusSchema = converter.convertDefinition(`${upstream}Status`, { stack: [], keepZeroDefaults: true });
  const describe = (property: string): string => text(converter.property(upstream, property), 'description') ?? '';
  specSchema.description = describe('spec');
  statusSchema.description = describe('status');
  const upstreamDescription = text(converter.definition(upstream), 'description') ?? '';
  const root: Schema = {
    type: 'object',
    description: `${spec.kind} is apps/v1 ${spec.upstream} as a custom resource, field for field. ${upstreamDescription}`,
    properties: {
      apiVersion: { type: 'string', description: describe('apiVersion') },
      kind: { type: 'string', description: describe('kind') },
      metadata: { type: 'object' },
      spec: specSchema,
      status: statusSchema,
    },
    required: ['spec'],
  };
  applyPatches(root, spec, spec.patches);
  if (!options.fullDescriptions) applyPatches(root, spec, descriptionTrims(spec));
  if (spec.rootRules.length > 0) root['x-kubernetes-validations'] = [...spec.rootRules];
  normalizeListTypes(root, '', notes);
  return root;
}

function buildCrd(converter: Converter, spec: KindSpec, options: GenerateOptions): GeneratedCrd {
  const notes: string[] = [];
  const schema = buildSchema(converter, spec, notes, options);
  const subresources: JsonObject = { status: {} };
  if (spec.scale) {
    subresources.scale = {
      specReplicasPath: '.spec.replicas',
      statusReplicasPath: '.status.replicas',
      labelSelectorPath: '.status.selector',
    };
  }
  const crd: JsonObject = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${spec.plural}.${group}` },
    spec: {
      group,
      names: {
        kind: spec.kind,
        listKind: `${spec.kind}List`,
        plural: spec.plural,
        singular: spec.singular,
        shortNames: [...spec.shortNames],
        categories: ['my-workloads', 'all'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: toJson(schema) },
          subresources,
          additionalPrinterColumns: spec.columns.map((column) => toJson(column)),
        },
      ],
    },
  };
  return { fileName: `${spec.plural}.${group}.yaml`, crd, notes };
}

export function generateCrds(definitions: Definitions, options: GenerateOptions = {}): GeneratedCrd[] {
  const converter = new Converter(definitions, definitionPatches());
  return [daemonSetKind(), statefulSetKind(), deploymentKind(), replicaSetKind()].map((spec) => buildCrd(converter, spec, options));
}

/** The file text for one CRD: a header naming its source, then YAML with sorted keys. */
export function renderCrd(generated: GeneratedCrd, kubernetesVersion: string): string {
  const header =
    `# Generated by hack/gen-crds.ts from the Kubernetes ${kubernetesVersion} OpenAPI (hack/openapi/definitions.json).\n` +
    '# Do not edit: change the generator and run `npm run gen:crds`.\n';
  return header + stringify(generated.crd, { sortMapEntries: true, lineWidth: 0 });
}

export function renderAll(definitions: Definitions): Map<string, string> {
  return new Map(generateCrds(definitions).map((g) => [g.fileName, renderCrd(g, definitions.kubernetesVersion)]));
}

function main(argv: readonly string[]): number {
  if (argv.includes('--refresh-openapi')) refreshDefinitions();
  const definitions = loadDefinitions();
  const generated = generateCrds(definitions);
  for (const g of generated) for (const note of g.notes) console.warn(`${g.fileName}: ${note}`);
  const files = new Map(generated.map((g) => [g.fileName, renderCrd(g, definitions.kubernetesVersion)]));
  const jsonBytes = new Map(generated.map((g) => [g.fileName, Buffer.byteLength(JSON.stringify(g.crd))]));
  const oversized = [...jsonBytes].filter(([, bytes]) => bytes > lastAppliedBudgetBytes);
  for (const [name, bytes] of oversized) {
    console.error(`crds/${name} is ${bytes} bytes as JSON, over ${lastAppliedBudgetBytes}: kubectl apply -f crds/ would fail; trim descriptions (descriptionTrims)`);
  }
  if (argv.includes('--check')) {
    const stale = [...files].filter(([name, body]) => {
      const file = path.join(crdDir, name);
      return !existsSync(file) || readFileSync(file, 'utf8') !== body;
    });
    for (const [name] of stale) console.error(`crds/${name} is out of date; run npm run gen:crds`);
    return stale.length === 0 && oversized.length === 0 ? 0 : 1;
  }
  for (const [name, body] of files) {
    writeFileSync(path.join(crdDir, name), body);
    console.log(`wrote crds/${name} (${Math.round(body.length / 1024)} KiB; ${jsonBytes.get(name) ?? 0} bytes as JSON)`);
  }
  return oversized.length === 0 ? 0 : 1;
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2));

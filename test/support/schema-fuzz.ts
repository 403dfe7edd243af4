// Schema-driven random values and mutations of custom resources, for fuzz tests.
//
// Pure: no I/O and no clock; every random choice comes from the `rand` argument (uniform in [0, 1)),
// so a run replays from the seed of a seeded PRNG. The schema is the structural OpenAPI v3 subset that
// our CRDs use (crds/*.yaml, `spec.versions[0].schema.openAPIV3Schema`); the rules followed are those
// of apiextensions-apiserver (pkg/apiserver/schema, pkg/apiserver/schema/listtype,
// pkg/apiserver/validation/formats.go) and kube-openapi's validator (pkg/validation/validate).
//
// Not modelled: x-kubernetes-validations (CEL), anyOf/allOf/oneOf/not (int-or-string is read from
// its x-kubernetes-int-or-string flag instead), x-kubernetes-embedded-resource, multipleOf,
// uniqueItems, string formats other than date-time, k8s-short-name and k8s-long-name (others are
// accepted as any string), and the special validation of metadata at the root.
import { isRecord } from '../../src/api/meta.ts';

/** A uniform random number in [0, 1); pass a seeded PRNG to replay a run. */
export type Rand = () => number;

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export type SchemaType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
export type ListType = 'atomic' | 'set' | 'map';

/**
 * The structural schema keys this module reads, spelled as on the wire. Other keys (description,
 * anyOf, x-kubernetes-validations, x-kubernetes-map-type, …) are dropped by `parseSchema`.
 */
export interface Schema {
  readonly type?: SchemaType;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  /** A map's value schema. Structural schemas allow it only without `properties`. */
  readonly additionalProperties?: Schema;
  readonly items?: Schema;
  readonly enum?: readonly JsonValue[];
  readonly minimum?: number;
  readonly maximum?: number;
  /** OpenAPI v3.0 style: makes `minimum` exclusive. */
  readonly exclusiveMinimum?: boolean;
  readonly exclusiveMaximum?: boolean;
  /** Lengths count code points, as kube-openapi counts runes (validate/values.go MinLength). */
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  /** A Go RE2 regular expression; matched here with JavaScript's `RegExp`, which mostly agrees. */
  readonly pattern?: string;
  readonly format?: string;
  readonly nullable?: boolean;
  readonly default?: JsonValue;
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-list-type'?: ListType;
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
}

export interface GenerateOptions {
  /** Chance that an optional property is included. Default 0.3; in [0, 1]. */
  readonly optionalProbability?: number;
  /**
   * Nesting depth (the schema given is depth 0) from which objects get only their required
   * properties and arrays and maps only their minimum number of entries; also the longest path
   * `schemaPaths` returns. Default 6; a non-negative integer.
   */
  readonly maxDepth?: number;
}

/** A place in a schema: property names, with `'*'` for an array's items or a map's values. */
export interface SchemaPath {
  readonly path: readonly string[];
  readonly schema: Schema;
}

export interface Change {
  /** Dotted, with indices and unusual map keys in brackets: `spec.template.spec.containers[0].image`. */
  readonly path: string;
  readonly value: JsonValue;
}

export interface Mutation {
  readonly object: JsonObject;
  readonly changes: readonly Change[];
}

export class SchemaParseError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'SchemaParseError';
    this.path = path;
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

// ---------------------------------------------------------------------------------------------
// Parsing

/** Reads a schema from parsed YAML/JSON; throws `SchemaParseError` on a malformed known key. */
export function parseSchema(value: unknown): Schema {
  return parseSchemaAt(value, 'schema');
}

function parseSchemaAt(value: unknown, path: string): Schema {
  if (!isRecord(value)) throw new SchemaParseError(path, 'must be an object');
  const out: Mutable<Schema> = {};
  const type = value.type;
  if (type !== undefined) {
    if (!isSchemaType(type)) throw new SchemaParseError(`${path}.type`, `unsupported type ${JSON.stringify(type)}`);
    out.type = type;
  }
  if (value.properties !== undefined) {
    const props = value.properties;
    if (!isRecord(props)) throw new SchemaParseError(`${path}.properties`, 'must be an object');
    const parsed: Record<string, Schema> = {};
    for (const [name, child] of Object.entries(props)) parsed[name] = parseSchemaAt(child, `${path}.properties.${name}`);
    out.properties = parsed;
  }
  // Structural schemas forbid `additionalProperties: false` and allow `true` only with
  // preserve-unknown-fields semantics; only a schema (a map's values) is used here.
  if (isRecord(value.additionalProperties)) {
    out.additionalProperties = parseSchemaAt(value.additionalProperties, `${path}.additionalProperties`);
  }
  if (value.items !== undefined) out.items = parseSchemaAt(value.items, `${path}.items`);
  if (value.required !== undefined) out.required = parseStrings(value.required, `${path}.required`);
  if (value.enum !== undefined) {
    if (!Array.isArray(value.enum)) throw new SchemaParseError(`${path}.enum`, 'must be an array');
    out.enum = value.enum.map((v: unknown, i) => parseJson(v, `${path}.enum[${i}]`));
  }
  if (Object.hasOwn(value, 'default')) out.default = parseJson(value.default, `${path}.default`);
  for (const key of numberKeys) assignDefined(out, key, optionalNumber(value[key], `${path}.${key}`));
  for (const key of countKeys) assignDefined(out, key, optionalCount(value[key], `${path}.${key}`));
  for (const key of booleanKeys) assignDefined(out, key, optionalBoolean(value[key], `${path}.${key}`));
  for (const key of stringKeys) assignDefined(out, key, optionalString(value[key], `${path}.${key}`));
  const listType = value['x-kubernetes-list-type'];
  if (listType !== undefined) {
    if (listType !== 'atomic' && listType !== 'set' && listType !== 'map') {
      throw new SchemaParseError(`${path}.x-kubernetes-list-type`, `unsupported list type ${JSON.stringify(listType)}`);
    }
    out['x-kubernetes-list-type'] = listType;
  }
  if (value['x-kubernetes-list-map-keys'] !== undefined) {
    out['x-kubernetes-list-map-keys'] = parseStrings(value['x-kubernetes-list-map-keys'], `${path}.x-kubernetes-list-map-keys`);
  }
  return out;
}

const numberKeys: readonly ('minimum' | 'maximum')[] = ['minimum', 'maximum'];
const countKeys: readonly ('minLength' | 'maxLength' | 'minItems' | 'maxItems' | 'minProperties' | 'maxProperties')[] = [
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
];
const booleanKeys: readonly ('exclusiveMinimum' | 'exclusiveMaximum' | 'nullable' | 'x-kubernetes-int-or-string' | 'x-kubernetes-preserve-unknown-fields')[] = [
  'exclusiveMinimum',
  'exclusiveMaximum',
  'nullable',
  'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
];
const stringKeys: readonly ('pattern' | 'format')[] = ['pattern', 'format'];

/** Sets only present keys, so that parsed schemas compare and print cleanly. */
function assignDefined<K extends keyof Schema>(out: Mutable<Schema>, key: K, value: Schema[K]): void {
  if (value !== undefined) out[key] = value;
}

function isSchemaType(value: unknown): value is SchemaType {
  return value === 'object' || value === 'array' || value === 'string' || value === 'integer' || value === 'number' || value === 'boolean';
}

function parseStrings(value: unknown, path: string): string[] {
  if (!Array.isArray(value)) throw new SchemaParseError(path, 'must be an array of strings');
  return value.map((v: unknown, i) => {
    if (typeof v !== 'string') throw new SchemaParseError(`${path}[${i}]`, 'must be a string');
    return v;
  });
}

function optionalNumber(value: unknown, path: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new SchemaParseError(path, 'must be a finite number');
  return value;
}

function optionalCount(value: unknown, path: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new SchemaParseError(path, 'must be a non-negative integer');
  return value;
}

function optionalBoolean(value: unknown, path: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new SchemaParseError(path, 'must be a boolean');
  return value;
}

function optionalString(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new SchemaParseError(path, 'must be a string');
  return value;
}

/** Checks that `value` is JSON and returns a deep copy of it. */
function parseJson(value: unknown, path: string): JsonValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new SchemaParseError(path, 'must be a finite number');
    return value;
  }
  if (Array.isArray(value)) return value.map((v: unknown, i) => parseJson(v, `${path}[${i}]`));
  if (isRecord(value)) {
    const out: JsonObject = {};
    for (const [key, v] of Object.entries(value)) {
      if (v !== undefined) out[key] = parseJson(v, `${path}.${key}`);
    }
    return out;
  }
  throw new SchemaParseError(path, `is not JSON (${typeof value})`);
}

function cloneJson(value: JsonValue): JsonValue {
  return parseJson(value, '');
}

// ---------------------------------------------------------------------------------------------
// Generation

interface Context {
  readonly rand: Rand;
  readonly optionalProbability: number;
  readonly maxDepth: number;
}

const defaultOptionalProbability = 0.3;
const defaultMaxDepth = 6;
/** Most arrays and maps get 0..3 entries: enough to exercise lists, small enough to read. */
const maxEntries = 3;
/** How many candidate strings to try against pattern, format and lengths before giving up. */
const stringCandidates = 20;

const nullProbability = 0.05;
const defaultValueProbability = 0.1;

const int32Min = -2147483648;
const int32Max = 2147483647;
/** Large values worth trying when the bounds allow them: int32 edges, just past int32, 2^53 - 1. */
const largeIntegers: readonly number[] = [int32Max, int32Min, 2147483648, Number.MAX_SAFE_INTEGER];

const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-';
const alphanumerics = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** Strings that have broken parsers before: whitespace, a lone dash, case, a slash, non-ASCII. */
const trickyStrings: readonly string[] = [' ', '-', 'UPPER', 'a/b', '日本'];

/**
 * A random value valid against `schema` (CEL rules aside), or `undefined` when none was found: a
 * string whose `pattern` (or format, or lengths) none of the candidates satisfied, an enum none of
 * whose values fits, or numeric bounds that exclude every integer.
 *
 * An `undefined` property, item or map value is left out of its parent. If it was a required
 * property, the parent is returned without it and is then invalid; callers who only need a
 * best-effort value may still use it, the API server will reject it. Arrays may likewise come out
 * shorter than `minItems` when unique entries (list-type set or map) could not be found.
 */
export function generate(schema: Schema, rand: Rand, options?: GenerateOptions): JsonValue | undefined {
  return generateAt(schema, 0, contextOf(rand, options));
}

function contextOf(rand: Rand, options: GenerateOptions | undefined): Context {
  return {
    rand,
    optionalProbability: options?.optionalProbability ?? defaultOptionalProbability,
    maxDepth: options?.maxDepth ?? defaultMaxDepth,
  };
}

function generateAt(schema: Schema, depth: number, ctx: Context): JsonValue | undefined {
  const { rand } = ctx;
  if (schema.nullable === true && rand() < nullProbability) return null;
  // apiextensions validates defaults against their schema (pkg/apiserver/schema/defaulting), so a
  // default is always a valid value.
  if (schema.default !== undefined && rand() < defaultValueProbability) return cloneJson(schema.default);
  if (schema.enum !== undefined) return pickEnum(schema, rand);
  if (schema['x-kubernetes-int-or-string'] === true) {
    // String keywords (pattern, maxLength) apply only to string values, as in JSON Schema.
    if (rand() < 0.5) {
      const n = generateInteger(schema, rand);
      if (n !== undefined) return n;
    }
    return generateIntOrStringString(schema, rand);
  }
  switch (kindOf(schema)) {
    case 'object':
      return generateObject(schema, depth, ctx);
    case 'array':
      return generateArray(schema, depth, ctx);
    case 'string':
      return generateString(schema, rand);
    case 'integer':
      return generateInteger(schema, rand);
    case 'number':
      return generateNumber(schema, rand);
    case 'boolean':
      return rand() < 0.5;
    case undefined:
      return undefined;
  }
}

/** The type of a schema, inferred for the untyped nodes structural schemas allow. */
function kindOf(schema: Schema): SchemaType | undefined {
  if (schema.type !== undefined) return schema.type;
  if (schema.properties !== undefined || schema.additionalProperties !== undefined) return 'object';
  if (schema.items !== undefined) return 'array';
  // Without a type, preserve-unknown-fields accepts any value; an empty object is one.
  if (schema['x-kubernetes-preserve-unknown-fields'] === true) return 'object';
  return undefined;
}

function pickEnum(schema: Schema, rand: Rand): JsonValue | undefined {
  const fitting = (schema.enum ?? []).filter((v) => scalarFits(v, schema));
  const chosen = pick(rand, fitting);
  return chosen === undefined ? undefined : cloneJson(chosen);
}

/** Whether an enum value also satisfies the schema's scalar keywords. */
function scalarFits(value: JsonValue, schema: Schema): boolean {
  if (typeof value === 'string') return stringFits(value, schema);
  if (typeof value === 'number') return numberFits(value, schema);
  return true;
}

function generateObject(schema: Schema, depth: number, ctx: Context): JsonObject {
  const { rand } = ctx;
  const out: JsonObject = {};
  const deep = depth >= ctx.maxDepth;
  const required = new Set(schema.required ?? []);
  const properties = schema.properties ?? {};
  const optional: string[] = [];
  for (const [name, child] of Object.entries(properties)) {
    if (!required.has(name)) {
      optional.push(name);
      if (deep || rand() >= ctx.optionalProbability) continue;
    }
    setIfDefined(out, name, generateAt(child, depth + 1, ctx));
  }
  // Required keys without a property schema are keys of a map (e.g. a PVC template's
  // resources.requests requires `storage`): their values follow additionalProperties.
  const values = schema.additionalProperties;
  for (const name of required) {
    if (Object.hasOwn(properties, name) || values === undefined) continue;
    setIfDefined(out, name, generateAt(values, depth + 1, ctx));
  }
  const minProperties = schema.minProperties ?? 0;
  const maxProperties = schema.maxProperties ?? Number.POSITIVE_INFINITY;
  for (const name of optional) {
    if (Object.keys(out).length >= minProperties) break;
    const child = properties[name];
    if (child !== undefined && !Object.hasOwn(out, name)) setIfDefined(out, name, generateAt(child, depth + 1, ctx));
  }
  for (const name of optional) {
    if (Object.keys(out).length <= maxProperties) break;
    Reflect.deleteProperty(out, name);
  }
  if (values !== undefined) {
    const wanted = clamp(deep ? 0 : randomInt(rand, 0, maxEntries), minProperties, maxProperties);
    for (let attempt = 0; Object.keys(out).length < wanted && attempt < wanted * 5 + 5; attempt++) {
      const key = randomName(rand, 1, 8);
      if (!Object.hasOwn(out, key)) setIfDefined(out, key, generateAt(values, depth + 1, ctx));
    }
  }
  return out;
}

function setIfDefined(target: JsonObject, key: string, value: JsonValue | undefined): void {
  if (value !== undefined) target[key] = value;
}

function generateArray(schema: Schema, depth: number, ctx: Context): JsonValue[] {
  const items = schema.items;
  const out: JsonValue[] = [];
  if (items === undefined) return out;
  const wanted = clamp(depth >= ctx.maxDepth ? 0 : randomInt(ctx.rand, 0, maxEntries), schema.minItems ?? 0, schema.maxItems ?? Number.POSITIVE_INFINITY);
  const seen = new Set<string>();
  for (let attempt = 0; out.length < wanted && attempt < wanted * 10 + 10; attempt++) {
    const item = generateAt(items, depth + 1, ctx);
    if (item === undefined) continue;
    const identity = listIdentity(item, schema);
    if (identity !== undefined) {
      if (seen.has(identity)) continue;
      seen.add(identity);
    }
    out.push(item);
  }
  return out;
}

/**
 * What must be unique in a list-type set (the whole item) or map (the map keys), as a string; or
 * `undefined` for atomic lists. A missing map key counts as its default: the API server defaults
 * before it validates, and structural schemas require every map key to be required or defaulted
 * (apiextensions validation.go validateSchemaListType; checked in pkg/apiserver/schema/listtype).
 */
function listIdentity(item: JsonValue, listSchema: Schema): string | undefined {
  switch (listSchema['x-kubernetes-list-type']) {
    case 'set':
      return canonicalJson(item);
    case 'map': {
      const keys = listSchema['x-kubernetes-list-map-keys'] ?? [];
      const fields = isJsonObject(item) ? item : {};
      return canonicalJson(
        keys.map((key): JsonValue => fields[key] ?? listSchema.items?.properties?.[key]?.default ?? { absent: true }),
      );
    }
    case 'atomic':
    case undefined:
      return undefined;
  }
}

/** JSON with sorted keys, so equal values give equal strings (Go's json.Marshal sorts map keys). */
function canonicalJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isJsonObject(value)) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] ?? null)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Integers and numbers ------------------------------------------------------------------------

interface Bounds {
  readonly min: number;
  readonly max: number;
}

/**
 * The integers the schema allows, within what a JS number holds exactly. int64 is cut to
 * ±(2^53 - 1); int32 keeps its own range (the formats apiextensions keeps for integers:
 * pkg/apiserver/validation/formats.go).
 */
function integerBounds(schema: Schema): Bounds | undefined {
  const int32 = schema.format === 'int32';
  let min = int32 ? int32Min : Number.MIN_SAFE_INTEGER;
  let max = int32 ? int32Max : Number.MAX_SAFE_INTEGER;
  if (schema.minimum !== undefined) {
    min = Math.max(min, schema.exclusiveMinimum === true ? Math.floor(schema.minimum) + 1 : Math.ceil(schema.minimum));
  }
  if (schema.maximum !== undefined) {
    max = Math.min(max, schema.exclusiveMaximum === true ? Math.ceil(schema.maximum) - 1 : Math.floor(schema.maximum));
  }
  return min <= max ? { min, max } : undefined;
}

/** Mostly small values near 0; sometimes an explicit bound; sometimes a large value. */
function generateInteger(schema: Schema, rand: Rand): number | undefined {
  const bounds = integerBounds(schema);
  if (bounds === undefined) return undefined;
  const roll = rand();
  if (roll < 0.1) {
    const edges: number[] = [];
    if (schema.minimum !== undefined) edges.push(bounds.min);
    if (schema.maximum !== undefined) edges.push(bounds.max);
    const edge = pick(rand, edges);
    if (edge !== undefined) return edge;
  } else if (roll < 0.15) {
    const large = pick(
      rand,
      largeIntegers.filter((n) => n >= bounds.min && n <= bounds.max),
    );
    if (large !== undefined) return large;
  }
  const near = smallWindow(bounds);
  return randomInt(rand, near.min, near.max);
}

/** [-3, 10] clipped to the bounds, or the ten values nearest 0 when the bounds exclude it. */
function smallWindow(bounds: Bounds): Bounds {
  const min = Math.max(bounds.min, -3);
  const max = Math.min(bounds.max, 10);
  if (min <= max) return { min, max };
  if (bounds.min > 10) return { min: bounds.min, max: Math.min(bounds.max, bounds.min + 10) };
  return { min: Math.max(bounds.min, bounds.max - 10), max: bounds.max };
}

function generateNumber(schema: Schema, rand: Rand): number | undefined {
  // Halves exercise the fractional path and are exact in binary.
  const whole = generateInteger({ ...schema, format: undefined }, rand);
  if (whole !== undefined && rand() < 0.5 && numberFits(whole + 0.5, schema)) return whole + 0.5;
  if (whole !== undefined) return whole;
  // No integer fits (e.g. exclusive bounds 0 < x < 1): try the midpoint.
  if (schema.minimum !== undefined && schema.maximum !== undefined) {
    const mid = (schema.minimum + schema.maximum) / 2;
    if (numberFits(mid, schema)) return mid;
  }
  return undefined;
}

function numberFits(value: number, schema: Schema): boolean {
  if (schema.type === 'integer' && !Number.isInteger(value)) return false;
  if (schema.type === 'integer' || schema['x-kubernetes-int-or-string'] === true) {
    const bounds = integerBounds(schema);
    if (bounds === undefined || value < bounds.min || value > bounds.max) return false;
  }
  if (schema.minimum !== undefined && (schema.exclusiveMinimum === true ? value <= schema.minimum : value < schema.minimum)) return false;
  if (schema.maximum !== undefined && (schema.exclusiveMaximum === true ? value >= schema.maximum : value > schema.maximum)) return false;
  return true;
}

// Strings -------------------------------------------------------------------------------------

/** The string half of int-or-string: a percentage now and then, since such fields usually take one. */
function generateIntOrStringString(schema: Schema, rand: Rand): string | undefined {
  if (rand() < 0.3) {
    const percent = `${randomInt(rand, 0, 100)}%`;
    if (stringFits(percent, schema)) return percent;
  }
  return generateString(schema, rand);
}

/**
 * The first of up to 20 candidates that satisfies lengths, pattern and format; `undefined` if
 * none does (see `generate`).
 */
function generateString(schema: Schema, rand: Rand): string | undefined {
  const format = knownFormat(schema.format);
  const sampler = schema.pattern === undefined ? undefined : patternSampler(schema.pattern);
  for (let attempt = 0; attempt < stringCandidates; attempt++) {
    const candidate = stringCandidate(schema, format, sampler, rand);
    if (candidate !== undefined && stringFits(candidate, schema)) return candidate;
  }
  return undefined;
}

function stringCandidate(schema: Schema, format: KnownFormat | undefined, sampler: RegexNode | undefined, rand: Rand): string | undefined {
  if (format !== undefined && rand() < 0.8) return formatCandidate(format, schema, rand);
  if (sampler !== undefined && rand() < 0.6) return sample(sampler, rand);
  const roll = rand();
  if (roll < 0.08) return '';
  if (roll < 0.2) return pick(rand, trickyStrings);
  if (roll < 0.3) return randomFrom(rand, '0123456789', randomLength(schema, rand));
  return randomFrom(rand, alphabet, randomLength(schema, rand));
}

/** 1..12 code points, moved into [minLength, maxLength]. */
function randomLength(schema: Schema, rand: Rand): number {
  return clamp(randomInt(rand, 1, 12), schema.minLength ?? 0, schema.maxLength ?? Number.POSITIVE_INFINITY);
}

function stringFits(value: string, schema: Schema): boolean {
  const length = [...value].length;
  if (schema.minLength !== undefined && length < schema.minLength) return false;
  if (schema.maxLength !== undefined && length > schema.maxLength) return false;
  if (schema.pattern !== undefined) {
    const regex = compiledPattern(schema.pattern);
    if (regex === undefined || !regex.test(value)) return false;
  }
  const format = knownFormat(schema.format);
  return format === undefined || formatAccepts(format, value);
}

// Memo only: a RegExp without the g or y flag keeps no state between tests, so results do not
// depend on call order and runs still replay.
const compiledPatterns = new Map<string, RegExp | undefined>();

/** `undefined` when JavaScript cannot compile a Go pattern (e.g. `(?i)`): nothing then matches. */
function compiledPattern(pattern: string): RegExp | undefined {
  if (!compiledPatterns.has(pattern)) {
    let regex: RegExp | undefined;
    try {
      regex = new RegExp(pattern);
    } catch {
      regex = undefined;
    }
    compiledPatterns.set(pattern, regex);
  }
  return compiledPatterns.get(pattern);
}

type KnownFormat = 'date-time' | 'k8s-short-name' | 'k8s-long-name';

/** Format names compare without dashes, as go-openapi normalizes them (formats.go). */
function knownFormat(format: string | undefined): KnownFormat | undefined {
  switch (format?.replaceAll('-', '')) {
    case 'datetime':
      return 'date-time';
    case 'k8sshortname':
      return 'k8s-short-name';
    case 'k8slongname':
      return 'k8s-long-name';
    default:
      return undefined;
  }
}

// kube-openapi pkg/validation/strfmt/kubernetes-extensions.go: a DNS-1123 label in lower case (at
// most 63), and dot-joined labels of any length (at most 253 in all).
const shortNameRegex = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dateTimeRegex = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function formatAccepts(format: KnownFormat, value: string): boolean {
  switch (format) {
    case 'k8s-short-name':
      return value.length <= 63 && shortNameRegex.test(value);
    case 'k8s-long-name':
      return value.length <= 253 && value.split('.').every((label) => shortNameRegex.test(label));
    case 'date-time': {
      const m = dateTimeRegex.exec(value);
      if (m === null) return false;
      const field = (i: number): number => Number(m[i]);
      // NaN (a missing group) fails every comparison.
      return field(2) >= 1 && field(2) <= 12 && field(3) >= 1 && field(3) <= 31 && field(4) <= 23 && field(5) <= 59 && field(6) <= 59;
    }
  }
}

function formatCandidate(format: KnownFormat, schema: Schema, rand: Rand): string {
  switch (format) {
    case 'k8s-short-name':
      return randomName(rand, 1, Math.min(12, schema.maxLength ?? 63));
    case 'k8s-long-name': {
      const labels = Array.from({ length: randomInt(rand, 1, 3) }, () => randomName(rand, 1, 6));
      return labels.join('.');
    }
    case 'date-time': {
      const two = (n: number): string => String(n).padStart(2, '0');
      const date = `${randomInt(rand, 1970, 2037)}-${two(randomInt(rand, 1, 12))}-${two(randomInt(rand, 1, 28))}`;
      return `${date}T${two(randomInt(rand, 0, 23))}:${two(randomInt(rand, 0, 59))}:${two(randomInt(rand, 0, 59))}Z`;
    }
  }
}

/** A lower-case name that starts and ends with a letter or digit: valid as a label or map key. */
function randomName(rand: Rand, minLength: number, maxLength: number): string {
  const length = randomInt(rand, Math.max(1, minLength), Math.max(1, maxLength));
  if (length === 1) return randomFrom(rand, alphanumerics, 1);
  return randomFrom(rand, alphanumerics, 1) + randomFrom(rand, alphabet, length - 2) + randomFrom(rand, alphanumerics, 1);
}

// Pattern sampling ----------------------------------------------------------------------------
//
// A small reader for the common regex subset (literals, classes, escapes, groups, alternation,
// quantifiers) that samples a string the pattern is likely to match, built from the pattern's own
// characters. Anything else (lookaround, backreferences, inline flags) makes it give up; the
// candidate is then one of the generic ones. Every candidate is still checked with `RegExp`.

type RegexNode =
  | { readonly kind: 'chars'; readonly chars: readonly string[] }
  | { readonly kind: 'sequence'; readonly items: readonly RegexNode[] }
  | { readonly kind: 'choice'; readonly options: readonly RegexNode[] }
  | { readonly kind: 'repeat'; readonly node: RegexNode; readonly min: number; readonly max: number };

/** Extra repetitions a `*`, `+` or open `{n,}` may add: keeps samples short. */
const extraRepetitions = 2;
/** A pattern demanding more repetitions than this is not sampled (it would not fit lengths anyway). */
const maxRepetitions = 256;

const printable: readonly string[] = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));

class UnsupportedPattern extends Error {}

const samplers = new Map<string, RegexNode | undefined>();

function patternSampler(pattern: string): RegexNode | undefined {
  if (!samplers.has(pattern)) {
    let node: RegexNode | undefined;
    try {
      node = readPattern(pattern);
    } catch (err) {
      if (!(err instanceof UnsupportedPattern)) throw err;
      node = undefined;
    }
    samplers.set(pattern, node);
  }
  return samplers.get(pattern);
}

function readPattern(pattern: string): RegexNode {
  let at = 0;
  const peek = (): string | undefined => pattern[at];

  const readChoice = (): RegexNode => {
    const options = [readSequence()];
    while (peek() === '|') {
      at++;
      options.push(readSequence());
    }
    return options.length === 1 && options[0] !== undefined ? options[0] : { kind: 'choice', options };
  };

  const readSequence = (): RegexNode => {
    const items: RegexNode[] = [];
    for (let c = peek(); c !== undefined && c !== '|' && c !== ')'; c = peek()) {
      const atom = readAtom();
      items.push(readQuantifier(atom));
    }
    return { kind: 'sequence', items };
  };

  const readAtom = (): RegexNode => {
    const c = peek();
    at++;
    switch (c) {
      case '^':
      case '$':
        return { kind: 'sequence', items: [] };
      case '.':
        return { kind: 'chars', chars: [...alphabet] };
      case '(': {
        if (pattern.startsWith('?:', at)) at += 2;
        else if (pattern.startsWith('?<', at) && !pattern.startsWith('?<=', at) && !pattern.startsWith('?<!', at)) {
          const close = pattern.indexOf('>', at);
          if (close < 0) throw new UnsupportedPattern();
          at = close + 1;
        } else if (peek() === '?') throw new UnsupportedPattern();
        const inner = readChoice();
        if (peek() !== ')') throw new UnsupportedPattern();
        at++;
        return inner;
      }
      case '[': {
        const start = at - 1;
        if (peek() === '^') at++;
        if (peek() === ']') at++;
        while (peek() !== undefined && peek() !== ']') at += peek() === '\\' ? 2 : 1;
        if (peek() !== ']') throw new UnsupportedPattern();
        at++;
        return charsMatching(pattern.slice(start, at));
      }
      case '\\':
        return readEscape();
      case '*':
      case '+':
      case '?':
      case undefined:
        throw new UnsupportedPattern();
      default:
        return { kind: 'chars', chars: [c] };
    }
  };

  const readEscape = (): RegexNode => {
    const c = peek();
    at++;
    if (c === undefined || c === 'c' || c === 'k' || /[0-9]/.test(c)) throw new UnsupportedPattern();
    // Word boundaries take no characters; the final RegExp check decides.
    if (c === 'b' || c === 'B') return { kind: 'sequence', items: [] };
    if (c === 'x' || c === 'u') {
      const width = c === 'x' ? 2 : 4;
      const hex = pattern.slice(at, at + width);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) throw new UnsupportedPattern();
      at += width;
      return { kind: 'chars', chars: [String.fromCharCode(parseInt(hex, 16))] };
    }
    // \d, \w, \s, \. and the rest mean what JavaScript says they mean.
    return charsMatching(`\\${c}`);
  };

  const readQuantifier = (node: RegexNode): RegexNode => {
    const c = peek();
    let min: number;
    let max: number;
    if (c === '*' || c === '+' || c === '?') {
      at++;
      min = c === '+' ? 1 : 0;
      max = c === '?' ? 1 : min + extraRepetitions;
    } else {
      const braces = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(at));
      if (braces === null) return node;
      at += braces[0].length;
      min = Number(braces[1]);
      if (min > maxRepetitions) throw new UnsupportedPattern();
      const upper = braces[2] === undefined ? min : braces[3] === '' || braces[3] === undefined ? Number.POSITIVE_INFINITY : Number(braces[3]);
      max = Math.min(upper, min + extraRepetitions);
    }
    if (peek() === '?') at++; // lazy: same language
    return { kind: 'repeat', node, min, max };
  };

  const node = readChoice();
  if (at !== pattern.length) throw new UnsupportedPattern();
  return node;
}

/** The printable ASCII characters a one-character regex source matches. */
function charsMatching(source: string): RegexNode {
  let regex: RegExp;
  try {
    regex = new RegExp(`^${source}$`);
  } catch {
    throw new UnsupportedPattern();
  }
  const chars = printable.filter((c) => regex.test(c));
  if (chars.length === 0) throw new UnsupportedPattern();
  return { kind: 'chars', chars };
}

function sample(node: RegexNode, rand: Rand): string {
  switch (node.kind) {
    case 'chars':
      return pick(rand, node.chars) ?? '';
    case 'sequence':
      return node.items.map((item) => sample(item, rand)).join('');
    case 'choice': {
      const option = pick(rand, node.options);
      return option === undefined ? '' : sample(option, rand);
    }
    case 'repeat': {
      let out = '';
      for (let i = randomInt(rand, node.min, node.max); i > 0; i--) out += sample(node.node, rand);
      return out;
    }
  }
}

// Random helpers ------------------------------------------------------------------------------

/** A uniform integer in [min, max]; both inclusive. */
function randomInt(rand: Rand, min: number, max: number): number {
  return min + Math.floor(rand() * (max - min + 1));
}

function pick<T>(rand: Rand, values: readonly T[]): T | undefined {
  return values.length === 0 ? undefined : values[Math.floor(rand() * values.length)];
}

function randomFrom(rand: Rand, chars: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += chars[Math.floor(rand() * chars.length)] ?? '';
  return out;
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, value));
}

// ---------------------------------------------------------------------------------------------
// Paths

/**
 * Every path of 1..maxDepth segments under `schema`, depth first, each with its subschema. Array
 * items and map values are `'*'`; a property literally named `*` would read the same.
 */
export function schemaPaths(schema: Schema, options?: GenerateOptions): readonly SchemaPath[] {
  const maxDepth = options?.maxDepth ?? defaultMaxDepth;
  const out: SchemaPath[] = [];
  const walk = (node: Schema, path: readonly string[]): void => {
    if (path.length >= maxDepth) return;
    const visit = (segment: string, child: Schema): void => {
      const childPath = [...path, segment];
      out.push({ path: childPath, schema: child });
      walk(child, childPath);
    };
    for (const [name, child] of Object.entries(node.properties ?? {})) visit(name, child);
    if (node.additionalProperties !== undefined) visit('*', node.additionalProperties);
    if (node.items !== undefined) visit('*', node.items);
  };
  walk(schema, []);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Mutation

/** Fields that identify the object: never changed, nor is any object holding them replaced. */
const protectedPaths: readonly (readonly string[])[] = [['apiVersion'], ['kind'], ['metadata', 'name'], ['metadata', 'namespace']];

/** How often a path under `spec` is chosen when there are others (status is written by controllers). */
const specPreference = 0.9;
/** Tries per change to find a value that keeps list-type set and map entries unique. */
const uniquenessTries = 5;

/**
 * A deep copy of `base` (a valid object of this schema) with up to `count` fields replaced by
 * generated values, and the list of what was set.
 *
 * Guarantees: `base` is not modified; apiVersion, kind, metadata.name and metadata.namespace keep
 * their values; no chosen path is a prefix of another, so every reported change is still at its
 * path in the result; list-type set and map entries stay unique. Missing parents are created with
 * their required fields only (a one-element array for an array's `'*'`, a new key for a map's).
 *
 * Fewer than `count` changes come back when paths run out or values cannot be found (a pattern no
 * candidate matched, a list whose entries could not stay unique). `options` applies to both the
 * paths (`maxDepth`) and the generated values. Throws `TypeError` if `base` is not a JSON object.
 */
export function mutate(base: unknown, schema: Schema, rand: Rand, count: number, options?: GenerateOptions): Mutation {
  let copy: JsonValue;
  try {
    copy = parseJson(base, 'base');
  } catch (err) {
    throw new TypeError('mutate: base is not JSON', { cause: err });
  }
  if (!isJsonObject(copy)) throw new TypeError('mutate: base must be a JSON object');
  const ctx = contextOf(rand, options);
  const candidates = schemaPaths(schema, options).filter((p) => !touchesProtected(p.path));
  const underSpec = candidates.filter((p) => p.path[0] === 'spec');
  const elsewhere = candidates.filter((p) => p.path[0] !== 'spec');
  const chosen: (readonly string[])[] = [];
  const changes: Change[] = [];
  let object = copy;
  for (let attempt = 0; changes.length < count && attempt < count * 10 + 10; attempt++) {
    const pool = underSpec.length > 0 && (elsewhere.length === 0 || rand() < specPreference) ? underSpec : elsewhere;
    const target = pick(rand, pool);
    if (target === undefined) break;
    if (chosen.some((path) => isPrefix(path, target.path) || isPrefix(target.path, path))) continue;
    const applied = applyChange(object, schema, target.path, ctx);
    if (applied === undefined) continue;
    chosen.push(target.path);
    object = applied.object;
    changes.push(applied.change);
  }
  return { object, changes };
}

/** A protected path, or an ancestor of one (replacing `metadata` would drop the name). */
function touchesProtected(path: readonly string[]): boolean {
  return protectedPaths.some((p) => isPrefix(path, p));
}

function isPrefix(prefix: readonly string[], path: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => path[i] === segment);
}

type Segment = string | number;
type Container = JsonObject | JsonValue[];

interface Applied {
  readonly object: JsonObject;
  readonly change: Change;
}

/** Sets a generated value at `path` in a copy of `object`; `undefined` if no valid value was found. */
function applyChange(object: JsonObject, schema: Schema, path: readonly string[], ctx: Context): Applied | undefined {
  for (let attempt = 0; attempt < uniquenessTries; attempt++) {
    const copy = cloneObject(object);
    const change = setAlong(copy, schema, path, ctx);
    if (change !== undefined) return { object: copy, change };
  }
  return undefined;
}

function cloneObject(object: JsonObject): JsonObject {
  const copy = cloneJson(object);
  if (!isJsonObject(copy)) throw new TypeError('a copied object is no longer an object');
  return copy;
}

/** Walks `path` in `root` (modifying it), creating missing parents, and sets the new value. */
function setAlong(root: JsonObject, rootSchema: Schema, path: readonly string[], ctx: Context): Change | undefined {
  let container: Container = root;
  let schema = rootSchema;
  const segments: Segment[] = [];
  const lists: { readonly list: JsonValue[]; readonly schema: Schema }[] = [];
  for (const [i, name] of path.entries()) {
    const step = stepInto(container, schema, name, ctx.rand);
    if (step === undefined) return undefined;
    segments.push(step.key);
    if (Array.isArray(container)) lists.push({ list: container, schema });
    if (i === path.length - 1) {
      const value = generateAt(step.schema, 0, ctx);
      if (value === undefined) return undefined;
      write(container, step.key, value);
      // Changing an entry, or a key field inside one, may collide with a sibling entry.
      if (!lists.every((l) => entriesUnique(l.list, l.schema))) return undefined;
      return { path: formatPath(segments), value: cloneJson(value) };
    }
    let child = read(container, step.key);
    if (!fitsContainer(child, step.schema)) {
      child = minimalContainer(step.schema, ctx);
      write(container, step.key, child);
    }
    container = child;
    schema = step.schema;
  }
  return undefined;
}

interface Step {
  readonly key: Segment;
  readonly schema: Schema;
}

/** Resolves one schema segment to a concrete key or index of `container`. */
function stepInto(container: Container, schema: Schema, name: string, rand: Rand): Step | undefined {
  if (name === '*' && schema.items !== undefined) {
    if (!Array.isArray(container)) return undefined;
    const full = container.length >= (schema.maxItems ?? Number.POSITIVE_INFINITY);
    // Mostly change an existing entry; sometimes append one (a new index is written as a push).
    if (container.length > 0 && (full || rand() < 0.7)) return { key: randomInt(rand, 0, container.length - 1), schema: schema.items };
    return full ? undefined : { key: container.length, schema: schema.items };
  }
  if (Array.isArray(container)) return undefined;
  if (name === '*' && schema.additionalProperties !== undefined) {
    const keys = Object.keys(container);
    const full = keys.length >= (schema.maxProperties ?? Number.POSITIVE_INFINITY);
    const existing = pick(rand, keys);
    if (existing !== undefined && (full || rand() < 0.5)) return { key: existing, schema: schema.additionalProperties };
    if (full) return undefined;
    const key = randomName(rand, 1, 8);
    return Object.hasOwn(container, key) ? undefined : { key, schema: schema.additionalProperties };
  }
  const child = schema.properties?.[name];
  return child === undefined ? undefined : { key: name, schema: child };
}

function read(container: Container, key: Segment): JsonValue | undefined {
  if (Array.isArray(container)) return typeof key === 'number' ? container[key] : undefined;
  return typeof key === 'string' && Object.hasOwn(container, key) ? container[key] : undefined;
}

function write(container: Container, key: Segment, value: JsonValue): void {
  if (Array.isArray(container)) {
    if (typeof key === 'number') container[key] = value;
  } else if (typeof key === 'string') {
    container[key] = value;
  }
}

function fitsContainer(value: JsonValue | undefined, schema: Schema): value is Container {
  return kindOf(schema) === 'array' ? Array.isArray(value) : isJsonObject(value);
}

/** A new parent: only its required fields and minimum entries, so the object stays valid. */
function minimalContainer(schema: Schema, ctx: Context): Container {
  const value = generateAt(schema, ctx.maxDepth, { ...ctx, optionalProbability: 0 });
  if (fitsContainer(value, schema)) return value;
  return kindOf(schema) === 'array' ? [] : {};
}

function entriesUnique(list: readonly JsonValue[], schema: Schema): boolean {
  const seen = new Set<string>();
  for (const item of list) {
    const identity = listIdentity(item, schema);
    if (identity === undefined) return true;
    if (seen.has(identity)) return false;
    seen.add(identity);
  }
  return true;
}

/** `spec.containers[0].image`; map keys other than [A-Za-z0-9_-]+ go in brackets as JSON strings. */
function formatPath(segments: readonly Segment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

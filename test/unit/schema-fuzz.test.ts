import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';
import { isRecord } from '../../src/api/meta.ts';
import { seededRandom } from '../support/seeded-random.ts';
import {
  generate,
  mutate,
  parseSchema,
  schemaPaths,
  SchemaParseError,
  type JsonValue,
  type Rand,
  type Schema,
} from '../support/schema-fuzz.ts';


const crdDir = fileURLToPath(new URL('../../crds/', import.meta.url));

interface Crd {
  readonly kind: string;
  readonly apiVersion: string;
  readonly schema: Schema;
}

function field(value: unknown, ...keys: (string | number)[]): unknown {
  let node = value;
  for (const key of keys) {
    if (typeof key === 'number') node = Array.isArray(node) ? element(node, key) : undefined;
    else node = isRecord(node) ? node[key] : undefined;
  }
  return node;
}

function element(list: readonly unknown[], index: number): unknown {
  return list[index];
}

function loadCrd(fileName: string): Crd {
  const doc: unknown = parse(readFileSync(path.join(crdDir, fileName), 'utf8'));
  const kind = field(doc, 'spec', 'names', 'kind');
  const group = field(doc, 'spec', 'group');
  const version = field(doc, 'spec', 'versions', 0, 'name');
  if (typeof kind !== 'string' || typeof group !== 'string' || typeof version !== 'string') throw new Error(`${fileName}: no kind`);
  return { kind, apiVersion: `${group}/${version}`, schema: parseSchema(field(doc, 'spec', 'versions', 0, 'schema', 'openAPIV3Schema')) };
}

const crds: readonly Crd[] = readdirSync(crdDir)
  .filter((name) => name.endsWith('.yaml'))
  .sort()
  .map(loadCrd);

// ---------------------------------------------------------------------------------------------
// An independent checker: what the API server's schema validation would reject (CEL aside).

const shortName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dateTime = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function formatProblem(value: string, format: string | undefined): string | undefined {
  switch (format) {
    case 'k8s-short-name':
      return value.length <= 63 && shortName.test(value) ? undefined : 'not a k8s-short-name';
    case 'k8s-long-name':
      return value.length <= 253 && value.split('.').every((s) => shortName.test(s)) ? undefined : 'not a k8s-long-name';
    case 'date-time':
      return dateTime.test(value) ? undefined : 'not a date-time';
    default:
      return undefined;
  }
}

function violations(value: unknown, schema: Schema, at = '$'): string[] {
  const out: string[] = [];
  const bad = (message: string): void => void out.push(`${at}: ${message} (${JSON.stringify(value)})`);
  if (value === null) {
    if (schema.nullable !== true) bad('null where not nullable');
    return out;
  }
  if (schema.enum !== undefined && !schema.enum.some((e) => isDeepStrictEqual(e, value))) bad('not in enum');
  const intOrString = schema['x-kubernetes-int-or-string'] === true;
  const type = schema.type ?? (schema.properties !== undefined || schema.additionalProperties !== undefined ? 'object' : undefined);
  if (intOrString) {
    if (!Number.isInteger(value) && typeof value !== 'string') bad('neither integer nor string');
  } else if (type === 'integer' && !Number.isInteger(value)) bad('not an integer');
  else if (type === 'number' && typeof value !== 'number') bad('not a number');
  else if (type === 'string' && typeof value !== 'string') bad('not a string');
  else if (type === 'boolean' && typeof value !== 'boolean') bad('not a boolean');
  else if (type === 'array' && !Array.isArray(value)) bad('not an array');
  else if (type === 'object' && !isRecord(value)) bad('not an object');

  if (typeof value === 'number') {
    if (schema.minimum !== undefined && (schema.exclusiveMinimum === true ? value <= schema.minimum : value < schema.minimum)) bad('below minimum');
    if (schema.maximum !== undefined && (schema.exclusiveMaximum === true ? value >= schema.maximum : value > schema.maximum)) bad('above maximum');
    if (schema.format === 'int32' && (value < -(2 ** 31) || value > 2 ** 31 - 1)) bad('outside int32');
    if (schema.format === 'int64' && !Number.isSafeInteger(value)) bad('outside int64 (as a safe JS integer)');
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength) bad('shorter than minLength');
    if (schema.maxLength !== undefined && length > schema.maxLength) bad('longer than maxLength');
    if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) bad(`does not match ${schema.pattern}`);
    const problem = formatProblem(value, schema.format);
    if (problem !== undefined) bad(problem);
  }
  if (Array.isArray(value)) {
    const items: unknown[] = value;
    if (schema.minItems !== undefined && items.length < schema.minItems) bad('fewer than minItems');
    if (schema.maxItems !== undefined && items.length > schema.maxItems) bad('more than maxItems');
    if (schema.items !== undefined) {
      const itemSchema = schema.items;
      items.forEach((item, i) => out.push(...violations(item, itemSchema, `${at}[${i}]`)));
    }
    const listType = schema['x-kubernetes-list-type'];
    if (listType === 'set' || listType === 'map') {
      const keys = schema['x-kubernetes-list-map-keys'] ?? [];
      const identities = items.map((item) =>
        listType === 'set'
          ? JSON.stringify(item)
          : JSON.stringify(keys.map((k) => field(item, k) ?? schema.items?.properties?.[k]?.default ?? '<unset>')),
      );
      if (new Set(identities).size !== identities.length) bad(`duplicate entries in a list-type ${listType}`);
    }
  }
  if (isRecord(value)) {
    const keys = Object.keys(value);
    for (const name of schema.required ?? []) if (!keys.includes(name)) bad(`missing required ${name}`);
    if (schema.minProperties !== undefined && keys.length < schema.minProperties) bad('fewer than minProperties');
    if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) bad('more than maxProperties');
    for (const key of keys) {
      const child = schema.properties?.[key] ?? schema.additionalProperties;
      if (child !== undefined) out.push(...violations(value[key], child, `${at}.${key}`));
      else if (schema.properties !== undefined && schema['x-kubernetes-preserve-unknown-fields'] !== true) bad(`unknown field ${key}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

/** Reads a path as `mutate` reports it: `a.b[0]["x.y"]`. */
function at(object: unknown, dotted: string): unknown {
  let node = object;
  let rest = dotted;
  while (rest !== '') {
    const m = /^(?:\.?([A-Za-z0-9_-]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\])/.exec(rest);
    if (m === null) throw new Error(`unreadable path ${dotted}`);
    const quoted: unknown = m[3] === undefined ? undefined : JSON.parse(m[3]);
    const key = m[1] ?? (m[2] !== undefined ? Number(m[2]) : quoted);
    if (typeof key !== 'string' && typeof key !== 'number') throw new Error(`unreadable path ${dotted}`);
    node = field(node, key);
    rest = rest.slice(m[0].length);
  }
  return node;
}

/** A small valid object of the CRD's kind (a DaemonSet has no replicas). */
function baseObject(crd: Crd): Record<string, unknown> {
  const replicas = crd.schema.properties?.spec?.properties?.replicas === undefined ? {} : { replicas: 2 };
  return {
    apiVersion: crd.apiVersion,
    kind: crd.kind,
    metadata: { name: 'web', namespace: 'fuzz' },
    spec: {
      ...replicas,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] },
      },
    },
  };
}

const draws = (schema: Schema, rand: Rand, n: number): (JsonValue | undefined)[] => Array.from({ length: n }, () => generate(schema, rand));

describe('schema-driven fuzzing (test/support/schema-fuzz.ts)', () => {
  describe('generate on the CRD schemas', () => {
    it('finds the four workload CRDs', () => {
      assert.deepEqual(
        crds.map((c) => c.kind),
        ['MyDaemonSet', 'MyDeployment', 'MyReplicaSet', 'MyStatefulSet'],
      );
    });

    for (const [i, name] of ['MyDaemonSet', 'MyDeployment', 'MyReplicaSet', 'MyStatefulSet'].entries()) {
      it(`gives ${name} objects whose every value obeys its schema, over 200 seeded draws`, () => {
        const crd = crds.find((c) => c.kind === name);
        assert.ok(crd);
        const rand = seededRandom(1000 + i);
        let fields = 0;
        for (let n = 0; n < 200; n++) {
          const object = generate(crd.schema, rand);
          assert.ok(isRecord(object), 'a custom resource is an object');
          assert.deepEqual(violations(object, crd.schema), [], `draw ${n}`);
          fields += JSON.stringify(object).length;
        }
        assert.ok(fields / 200 > 100, 'draws are not all near-empty');
      });
    }

    it('is checked by a checker that does catch invalid values', () => {
      const crd = crds.find((c) => c.kind === 'MyDeployment');
      assert.ok(crd);
      const broken = {
        spec: {
          replicas: -1,
          selector: { matchLabels: { app: '-bad-' } },
          template: { spec: { containers: [{ name: 'a' }, { name: 'a' }], restartPolicy: 'Sometimes' } },
          extra: true,
        },
      };
      const found = violations(broken, crd.schema).map((v) => v.replace(/ \(.*$/, ''));
      assert.deepEqual(found, [
        '$.spec.replicas: below minimum',
        '$.spec.selector.matchLabels.app: does not match ^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$',
        '$.spec.template.spec.containers[0]: missing required image',
        '$.spec.template.spec.containers[1]: missing required image',
        '$.spec.template.spec.containers: duplicate entries in a list-type map',
        '$.spec.template.spec.restartPolicy: not in enum',
        '$.spec: unknown field extra',
      ]);
    });

    it('replays the same objects from the same seed, and others from another', () => {
      const schema = crds[0]?.schema;
      assert.ok(schema);
      const first = draws(schema, seededRandom(42), 20);
      assert.deepEqual(draws(schema, seededRandom(42), 20), first);
      assert.notDeepEqual(draws(schema, seededRandom(43), 20), first);
    });
  });

  describe('generate on small schemas', () => {
    it('picks only enum values, and each of them in time', () => {
      const schema = parseSchema({ type: 'string', enum: ['Always', 'OnFailure', 'Never'] });
      const values = new Set(draws(schema, seededRandom(1), 100));
      assert.deepEqual([...values].sort(), ['Always', 'Never', 'OnFailure']);
    });

    it('gives both integers and strings for int-or-string, strings obeying pattern and maxLength', () => {
      const schema = parseSchema({ 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }], maxLength: 4, pattern: '^[0-9]+%?$' });
      const values = draws(schema, seededRandom(2), 200);
      assert.ok(values.some((v) => Number.isInteger(v)));
      assert.ok(values.some((v) => typeof v === 'string'));
      for (const v of values) assert.deepEqual(violations(v, schema), []);
    });

    it('keeps list-type map entries unique by their keys, a missing key counting as its default', () => {
      const schema = parseSchema({
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
        items: {
          type: 'object',
          required: ['containerPort'],
          properties: {
            containerPort: { type: 'integer', minimum: 80, maximum: 81 },
            protocol: { type: 'string', enum: ['TCP', 'UDP'], default: 'TCP' },
          },
        },
      });
      const rand = seededRandom(3);
      let longest = 0;
      for (let n = 0; n < 300; n++) {
        const list = generate(schema, rand);
        assert.ok(Array.isArray(list));
        longest = Math.max(longest, list.length);
        assert.deepEqual(violations(list, schema), []);
      }
      assert.equal(longest, 3, 'unique entries are still found when few exist');
    });

    it('keeps list-type set items unique', () => {
      const schema = parseSchema({ type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'integer', minimum: 0, maximum: 1 } });
      for (const list of draws(schema, seededRandom(4), 200)) assert.deepEqual(violations(list, schema), []);
    });

    it('keeps integers within int32 and explicit bounds, sometimes at a bound or large', () => {
      const int32 = draws(parseSchema({ type: 'integer', format: 'int32' }), seededRandom(5), 400);
      assert.ok(int32.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** 31) && v <= 2 ** 31 - 1));
      assert.ok(int32.includes(2147483647));
      const bounded = parseSchema({ type: 'integer', minimum: 1, maximum: 5, exclusiveMaximum: true });
      const values = draws(bounded, seededRandom(6), 200);
      assert.ok(values.every((v) => typeof v === 'number' && v >= 1 && v <= 4));
      assert.ok(values.includes(1) && values.includes(4));
    });

    it('builds strings for a pattern out of its own characters', () => {
      const schema = parseSchema({ type: 'string', pattern: '^v[0-9]{1,2}\\.(alpha|beta)[0-9]$', maxLength: 12 });
      for (const v of draws(schema, seededRandom(7), 50)) assert.deepEqual(violations(v, schema), []);
    });

    it('gives up with undefined when no candidate matches the pattern, leaving a required field out of its parent', () => {
      const impossible = { type: 'string', pattern: '^(?=a)b$' };
      assert.ok(draws(parseSchema(impossible), seededRandom(8), 20).every((v) => v === undefined));
      const tooShort = parseSchema({ type: 'string', pattern: '^x{8}$', maxLength: 4 });
      assert.equal(generate(tooShort, seededRandom(9)), undefined);
      const parent = parseSchema({ type: 'object', required: ['name'], properties: { name: impossible } });
      assert.deepEqual(generate(parent, seededRandom(10)), {});
    });

    it('treats a pattern JavaScript cannot compile as matching nothing', () => {
      assert.equal(generate(parseSchema({ type: 'string', pattern: '(?i)abc' }), seededRandom(11)), undefined);
    });

    it('gives an empty object for preserve-unknown-fields without properties', () => {
      const schema = parseSchema({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
      assert.ok(draws(schema, seededRandom(12), 20).every((v) => isDeepStrictEqual(v, {})));
    });

    it('includes only required properties from maxDepth down', () => {
      const leaf = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1 }, note: { type: 'string' } } };
      const schema = parseSchema({ type: 'object', required: ['a'], properties: { a: leaf, b: leaf } });
      const keys = (value: unknown): string[] => (isRecord(value) ? Object.keys(value) : []);
      const shallow = generate(schema, seededRandom(13), { maxDepth: 1, optionalProbability: 1 });
      assert.deepEqual(keys(shallow), ['a', 'b']);
      assert.deepEqual([keys(field(shallow, 'a')), keys(field(shallow, 'b'))], [['id'], ['id']]);
      const flat = generate(schema, seededRandom(14), { maxDepth: 0, optionalProbability: 1 });
      assert.deepEqual([keys(flat), keys(field(flat, 'a'))], [['a'], ['id']]);
      const full = generate(schema, seededRandom(15), { optionalProbability: 1 });
      assert.deepEqual(keys(field(full, 'a')), ['id', 'note']);
    });
  });

  describe('parseSchema', () => {
    it('keeps the keys it uses and drops the rest', () => {
      const schema = parseSchema({
        type: 'array',
        description: 'ignored',
        'x-kubernetes-validations': [{ rule: 'size(self) > 0' }],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
        items: { type: 'object', required: ['name'], properties: { name: { type: 'string', default: 'x' } } },
      });
      assert.deepEqual(schema, {
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
        items: { type: 'object', required: ['name'], properties: { name: { type: 'string', default: 'x' } } },
      });
    });

    it('rejects a malformed known key, naming where', () => {
      assert.throws(() => parseSchema({ properties: { n: { type: 'int' } } }), (err: unknown) => err instanceof SchemaParseError && err.path === 'schema.properties.n.type');
      assert.throws(() => parseSchema({ type: 'string', maxLength: -1 }), SchemaParseError);
    });
  });

  describe('schemaPaths', () => {
    it("lists nested paths with '*' for items and map values, none longer than maxDepth", () => {
      const schema = crds.find((c) => c.kind === 'MyDeployment')?.schema;
      assert.ok(schema);
      const paths = schemaPaths(schema).map((p) => p.path.join('.'));
      assert.ok(paths.includes('spec.template.spec.containers.*.image'));
      assert.ok(paths.includes('spec.selector.matchLabels.*'));
      assert.ok(!paths.includes('spec.template.spec.containers.*.resources.limits'), 'seven segments is past the default depth');
      assert.ok(schemaPaths(schema, { maxDepth: 3 }).every((p) => p.path.length >= 1 && p.path.length <= 3));
      const image = schemaPaths(schema).find((p) => p.path.join('.') === 'spec.template.spec.containers.*.image');
      assert.equal(image?.schema.type, 'string');
    });
  });

  describe('mutate', () => {
    for (const [i, name] of ['MyDaemonSet', 'MyDeployment', 'MyReplicaSet', 'MyStatefulSet'].entries()) {
      it(`changes ${name} objects only where it reports, leaving identity and base alone and the object valid`, () => {
        const crd = crds.find((c) => c.kind === name);
        assert.ok(crd);
        const base = baseObject(crd);
        assert.deepEqual(violations(base, crd.schema), [], 'the base object is valid');
        const pristine = structuredClone(base);
        const rand = seededRandom(2000 + i);
        let changed = 0;
        for (let n = 0; n < 100; n++) {
          const { object, changes } = mutate(base, crd.schema, rand, 3);
          changed += changes.length;
          assert.ok(changes.length <= 3);
          assert.deepEqual(base, pristine, 'base is unchanged');
          assert.equal(object.apiVersion, base.apiVersion);
          assert.equal(object.kind, base.kind);
          assert.deepEqual([field(object, 'metadata', 'name'), field(object, 'metadata', 'namespace')], ['web', 'fuzz']);
          for (const change of changes) {
            assert.ok(!/^(apiVersion|kind|metadata)\b/.test(change.path), change.path);
            assert.deepEqual(at(object, change.path), change.value, `change ${change.path} is in the result`);
          }
          assert.deepEqual(violations(object, crd.schema), [], JSON.stringify(changes));
        }
        assert.ok(changed > 250, `most requested changes were made (${changed} of 300)`);
      });
    }

    it('prefers paths under spec', () => {
      const crd = crds.find((c) => c.kind === 'MyStatefulSet');
      assert.ok(crd);
      const rand = seededRandom(3000);
      const paths = Array.from({ length: 100 }, () => mutate(baseObject(crd), crd.schema, rand, 1).changes.map((c) => c.path)).flat();
      assert.ok(paths.filter((p) => p.startsWith('spec.')).length > 75);
    });

    it('creates missing parents: a one-element array for items, required fields included', () => {
      const schema = parseSchema({
        type: 'object',
        properties: {
          spec: {
            type: 'object',
            properties: {
              ports: {
                type: 'array',
                items: { type: 'object', required: ['name'], properties: { name: { type: 'string', enum: ['http'] }, port: { type: 'integer', enum: [8080] } } },
              },
            },
          },
        },
      });
      const rand = seededRandom(16);
      for (let n = 0; n < 20; n++) {
        const { object, changes } = mutate({}, schema, rand, 1);
        if (changes[0]?.path !== 'spec.ports[0].port') continue;
        assert.deepEqual(object, { spec: { ports: [{ name: 'http', port: 8080 }] } });
        return;
      }
      assert.fail('spec.ports[0].port was never chosen');
    });

    it('replays the same changes from the same seed', () => {
      const crd = crds[1];
      assert.ok(crd);
      const run = (): unknown => mutate(baseObject(crd), crd.schema, seededRandom(77), 5);
      assert.deepEqual(run(), run());
    });
  });
});

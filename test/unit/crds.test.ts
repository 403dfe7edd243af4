import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  crdDir,
  extensionMark,
  generateCrds,
  isJsonObject,
  loadDefinitions,
  renderAll,
  toJson,
  type Json,
  type JsonObject,
} from '../../hack/gen-crds.ts';

const definitions = loadDefinitions();
const rendered = renderAll(definitions);
/** The same CRDs with every upstream description kept, before descriptionTrims. */
const untrimmed = new Map(generateCrds(definitions, { fullDescriptions: true }).map((g) => [g.fileName, g.crd]));

function crd(fileName: string): JsonObject {
  const value = toJson(parse(readFileSync(path.join(crdDir, fileName), 'utf8')));
  if (!isJsonObject(value)) throw new Error(`${fileName}: not an object`);
  return value;
}

function get(value: Json | undefined, ...keys: (string | number)[]): Json | undefined {
  let node = value;
  for (const key of keys) {
    if (typeof key === 'number') node = Array.isArray(node) ? node[key] : undefined;
    else node = isJsonObject(node) ? node[key] : undefined;
  }
  return node;
}

/** A scalar as text (strings unquoted), for messages and comparisons. */
const str = (value: Json | undefined): string => (typeof value === 'string' ? value : JSON.stringify(value) ?? 'undefined');

function obj(value: Json | undefined, what: string): JsonObject {
  if (!isJsonObject(value)) throw new Error(`${what}: not an object`);
  return value;
}

const version = (doc: JsonObject): JsonObject => obj(get(doc, 'spec', 'versions', 0), 'spec.versions[0]');
const rootSchema = (doc: JsonObject): JsonObject => obj(get(version(doc), 'schema', 'openAPIV3Schema'), 'openAPIV3Schema');

/** The schema node at a path like `spec.template.spec.containers[].name` below the root schema. */
function schemaAt(doc: JsonObject, where: string): JsonObject {
  let node = rootSchema(doc);
  for (const token of where.match(/[^.[\]]+|\[\]/g) ?? []) {
    node = obj(token === '[]' ? node.items : get(node, 'properties', token), `${where} at ${token}`);
  }
  return node;
}

/** Every schema node with its path (`.name` for properties, `[]` for items, `{}` for map values, `|n` for anyOf). */
function walk(schema: JsonObject, where = ''): [string, JsonObject][] {
  const out: [string, JsonObject][] = [[where, schema]];
  for (const [name, child] of Object.entries(obj(schema.properties ?? {}, `${where}.properties`))) {
    out.push(...walk(obj(child, `${where}.${name}`), `${where}.${name}`));
  }
  if (isJsonObject(schema.items)) out.push(...walk(schema.items, `${where}[]`));
  if (isJsonObject(schema.additionalProperties)) out.push(...walk(schema.additionalProperties, `${where}{}`));
  if (Array.isArray(schema.anyOf)) schema.anyOf.forEach((branch, i) => out.push(...walk(obj(branch, `${where}|${i}`), `${where}|${i}`)));
  return out;
}

/** A schema without its descriptions (and its children's): what the API server validates and defaults with. */
function withoutDescriptions(schema: JsonObject): JsonObject {
  const out: JsonObject = { ...schema };
  delete out.description;
  if (isJsonObject(schema.properties)) {
    out.properties = Object.fromEntries(Object.entries(schema.properties).map(([name, child]) => [name, withoutDescriptions(obj(child, name))]));
  }
  if (isJsonObject(schema.items)) out.items = withoutDescriptions(schema.items);
  if (isJsonObject(schema.additionalProperties)) out.additionalProperties = withoutDescriptions(schema.additionalProperties);
  if (Array.isArray(schema.anyOf)) out.anyOf = schema.anyOf.map((branch) => withoutDescriptions(obj(branch, 'anyOf')));
  return out;
}

const lastAppliedKey = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * The annotation client-side apply (`kubectl apply -f crds/`) stores: the manifest as compact JSON
 * with an annotations map, escaped as Go's encoding/json does (<, > and & as \uXXXX), newline-ended.
 */
function lastAppliedConfiguration(doc: JsonObject): string {
  const metadata = obj(doc.metadata, 'metadata');
  const json = JSON.stringify({ ...doc, metadata: { ...metadata, annotations: {} } });
  return `${json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}

/** Ours, under the API server's 262144 bytes of annotations per object (TotalAnnotationSizeLimitB), with room to grow. */
const lastAppliedBudget = 230_000;

const scalarTypes = ['string', 'integer', 'number', 'boolean'];
const fileNames = ['mydaemonsets.apps.my.dev.yaml', 'mydeployments.apps.my.dev.yaml', 'myreplicasets.apps.my.dev.yaml', 'mystatefulsets.apps.my.dev.yaml'];
const kindNames: Readonly<Record<string, string>> = {
  'mydaemonsets.apps.my.dev.yaml': 'MyDaemonSet',
  'mydeployments.apps.my.dev.yaml': 'MyDeployment',
  'myreplicasets.apps.my.dev.yaml': 'MyReplicaSet',
  'mystatefulsets.apps.my.dev.yaml': 'MyStatefulSet',
};

interface Rule {
  readonly rule: string;
  readonly message: string;
  readonly fieldPath?: string;
  readonly reason?: string;
}

/** The CEL rules on one schema node. */
function rulesAt(doc: JsonObject, where: string): Rule[] {
  const list = schemaAt(doc, where)['x-kubernetes-validations'];
  return (Array.isArray(list) ? list : []).map((item) => {
    const rule = obj(item, `${where} rule`);
    const fieldPath = rule.fieldPath;
    const reason = rule.reason;
    return {
      rule: str(rule.rule),
      message: str(rule.message),
      ...(typeof fieldPath === 'string' ? { fieldPath } : {}),
      ...(typeof reason === 'string' ? { reason } : {}),
    };
  });
}

/** The one rule at `where` whose message contains `text`. */
function ruleWith(doc: JsonObject, where: string, text: string): Rule {
  const found = rulesAt(doc, where).filter((r) => r.message.includes(text));
  assert.equal(found.length, 1, `${where}: ${found.length} rules say "${text}"`);
  const [rule] = found;
  assert.ok(rule);
  return rule;
}

/** Printer column names, `*` marking -o wide ones, and their JSONPaths. */
function columns(doc: JsonObject): string[] {
  const list = get(version(doc), 'additionalPrinterColumns');
  assert.ok(Array.isArray(list));
  return list.map((c) => `${str(get(c, 'name'))}${get(c, 'priority') === 1 ? '*' : ''} ${str(get(c, 'jsonPath'))}`);
}

/** Every default below a node, by path: what the API server writes into objects. */
function defaultsBelow(schema: JsonObject): Map<string, Json> {
  return new Map(walk(schema).flatMap(([where, node]) => (node.default === undefined ? [] : [[where, node.default] as const])));
}

/** A schema with descriptions dropped and kind names in rule messages replaced, for comparing kinds. */
function comparable(schema: JsonObject): Json {
  const kinds = new RegExp(Object.values(kindNames).join('|'), 'g');
  return toJson(JSON.parse(JSON.stringify(withoutDescriptions(schema)).replace(kinds, '<kind>')));
}

describe('generated CRDs (hack/gen-crds.ts)', () => {
  it('regenerates crds/ byte for byte from hack/openapi/definitions.json', () => {
    assert.deepEqual([...rendered.keys()].sort(), fileNames);
    for (const [name, body] of rendered) {
      assert.equal(readFileSync(path.join(crdDir, name), 'utf8'), body, `crds/${name} is stale: run npm run gen:crds`);
    }
  });

  for (const fileName of fileNames) {
    describe(fileName, () => {
      const doc = crd(fileName);
      const nodes = walk(rootSchema(doc));

      it('is structural: every node has a type, or is int-or-string, or keeps unknown fields as an object', () => {
        for (const [where, node] of nodes) {
          if (node['x-kubernetes-int-or-string'] === true) {
            assert.equal(node.type, undefined, where);
            assert.deepEqual(node.anyOf, [{ type: 'integer' }, { type: 'string' }], where);
          } else if (!where.match(/\|\d+$/)) {
            assert.ok(typeof node.type === 'string', `${where} has no type`);
          }
          if (node['x-kubernetes-preserve-unknown-fields'] === true) assert.equal(node.type, 'object', where);
          const both = node.properties !== undefined && node.additionalProperties !== undefined;
          assert.ok(!both, `${where}: properties and additionalProperties`);
        }
      });

      it('has no $ref, allOf, oneOf or strategic-merge-patch extensions left', () => {
        const text = JSON.stringify(rootSchema(doc));
        for (const word of ['"$ref"', '"allOf"', '"oneOf"', '"not"', 'x-kubernetes-patch-', 'x-kubernetes-unions', '"int-or-string"']) {
          assert.ok(!text.includes(word), `${word} left in the schema`);
        }
      });

      it('uses list types the way apiextensions allows', () => {
        for (const [where, node] of nodes) {
          const listType = node['x-kubernetes-list-type'];
          if (listType === undefined) continue;
          assert.equal(node.type, 'array', where);
          const items = obj(node.items, `${where}[]`);
          if (listType === 'set') assert.ok(scalarTypes.includes(str(items.type)), `${where}: set of non-scalars`);
          if (listType === 'map') {
            const keys = node['x-kubernetes-list-map-keys'];
            assert.ok(Array.isArray(keys) && keys.length > 0, `${where}: map without keys`);
            const required = Array.isArray(items.required) ? items.required : [];
            for (const key of keys.map(str)) {
              const property = obj(get(items, 'properties', key), `${where}[].${key}`);
              assert.ok(scalarTypes.includes(str(property.type)), `${where}: key ${key} not scalar`);
              assert.ok(required.includes(key) || property.default !== undefined, `${where}: key ${key} neither required nor defaulted`);
            }
          }
        }
      });

      it('keeps unknown fields only where no value is valid (ephemeralContainers items)', () => {
        const preserving = nodes.filter(([, node]) => node['x-kubernetes-preserve-unknown-fields'] === true).map(([where]) => where);
        assert.deepEqual(preserving, ['.spec.template.spec.ephemeralContainers[]']);
      });

      it('leaves the root metadata to the API server and restricts template metadata to what a template may set', () => {
        assert.deepEqual(schemaAt(doc, 'metadata'), { type: 'object' });
        assert.deepEqual(Object.keys(obj(schemaAt(doc, 'spec.template.metadata').properties, 'template metadata')).sort(), [
          'annotations',
          'creationTimestamp',
          'finalizers',
          'labels',
          'name',
          'namespace',
        ]);
      });

      it('carries upstream descriptions down the pod template, for kubectl explain', () => {
        const explained = [
          'spec.template.spec.containers',
          'spec.template.spec.containers[].image',
          'spec.template.spec.containers[].resources.limits',
          'spec.selector',
          'status.conditions',
        ];
        for (const where of explained) {
          const description = schemaAt(doc, where).description;
          assert.ok(typeof description === 'string' && description.length > 20, `${where} lacks a description`);
        }
      });

      it('fits client-side apply: its last-applied-configuration annotation stays under 230 000 bytes', () => {
        const bytes = Buffer.byteLength(lastAppliedKey) + Buffer.byteLength(lastAppliedConfiguration(doc));
        assert.ok(bytes <= lastAppliedBudget, `${fileName}: ${bytes} bytes of last-applied-configuration, over ${lastAppliedBudget}`);
      });

      it('drops descriptions only, keeping every field, default and rule of the untrimmed schema', () => {
        const full = rootSchema(obj(untrimmed.get(fileName), 'untrimmed'));
        assert.deepEqual(withoutDescriptions(rootSchema(doc)), withoutDescriptions(full));
      });

      it('drops descriptions only below initContainers items and below each volume source, and points initContainers at containers', () => {
        const trimmed = new Map(nodes);
        const dropped = (where: string): boolean =>
          where.startsWith('.spec.template.spec.initContainers[]') || /^\.spec\.template\.spec\.volumes\[\]\.[^.[{|]+[.[{|]/.test(where);
        for (const [where, node] of walk(rootSchema(obj(untrimmed.get(fileName), 'untrimmed')))) {
          const description = trimmed.get(where)?.description;
          if (where === '.spec.template.spec.initContainers') {
            assert.ok(str(description).startsWith(str(node.description)), where);
            assert.match(str(description), /spec\.template\.spec\.containers/);
          } else if (dropped(where)) {
            assert.equal(description, undefined, where);
          } else {
            assert.equal(description, node.description, where);
          }
        }
        for (const source of Object.keys(obj(schemaAt(doc, 'spec.template.spec.volumes[]').properties, 'volume'))) {
          const description = schemaAt(doc, `spec.template.spec.volumes[].${source}`).description;
          assert.ok(typeof description === 'string' && description.length > 20, `volume source ${source} lacks a description`);
        }
      });

      it('describes every field at the top levels of spec and status and of the pod spec and its containers', () => {
        for (const where of ['spec', 'status', 'spec.template.spec', 'spec.template.spec.containers[]']) {
          for (const [name, property] of Object.entries(obj(schemaAt(doc, where).properties, where))) {
            const description = obj(property, name).description;
            assert.ok(typeof description === 'string' && description.length > 0, `${where}.${name} lacks a description`);
          }
        }
      });

      it('requires the selector and the template, and rejects restartPolicy other than Always', () => {
        assert.deepEqual(schemaAt(doc, 'spec').required, ['selector', 'template']);
        assert.deepEqual(schemaAt(doc, 'spec.template.spec.restartPolicy').enum, ['Always']);
        assert.equal(schemaAt(doc, 'spec.template.spec.restartPolicy').default, 'Always');
        const selectorRules = JSON.stringify(schemaAt(doc, 'spec.selector')['x-kubernetes-validations']);
        assert.ok(selectorRules.includes('self == oldSelf'), 'selector is immutable');
      });

      it('names the field in every CEL rule message', () => {
        for (const [where, node] of nodes) {
          for (const rule of Array.isArray(node['x-kubernetes-validations']) ? node['x-kubernetes-validations'] : []) {
            const message = str(get(rule, 'message'));
            const field = str(get(rule, 'fieldPath') ?? where).split('.').filter(Boolean).pop() ?? 'metadata';
            const named = message.includes(field.replace('[]', '')) || message.includes('metadata.name');
            assert.ok(named, `${where}: "${message}" does not name ${field}`);
          }
        }
      });

      it('has a status subresource and the workload categories', () => {
        assert.deepEqual(get(version(doc), 'subresources', 'status'), {});
        assert.deepEqual(get(doc, 'spec', 'names', 'categories'), ['my-workloads', 'all']);
        assert.equal(get(doc, 'spec', 'scope'), 'Namespaced');
      });
    });
  }

  describe('the pod template across kinds', () => {
    const docs = fileNames.map((fileName) => ({ fileName, doc: crd(fileName) }));

    // The Deployment controller finds its new ReplicaSet by template equality, and a template is
    // stored as the schema defaults it: one default on one side only and they never match.
    it('defaults the pod template identically in MyDeployment, MyReplicaSet and the other kinds', () => {
      const reference = defaultsBelow(schemaAt(crd('mydeployments.apps.my.dev.yaml'), 'spec.template'));
      assert.ok(reference.size > 10, 'the template has its core/v1 defaults');
      for (const { fileName, doc } of docs) {
        assert.deepEqual(defaultsBelow(schemaAt(doc, 'spec.template')), reference, fileName);
      }
    });

    it('validates the pod template identically in every kind, kind names in messages aside', () => {
      const reference = comparable(schemaAt(crd('mydeployments.apps.my.dev.yaml'), 'spec.template'));
      for (const { fileName, doc } of docs) assert.deepEqual(comparable(schemaAt(doc, 'spec.template')), reference, fileName);
    });

    it('forbids activeDeadlineSeconds and checks selector requirements in every kind', () => {
      for (const { fileName, doc } of docs) {
        const rule = ruleWith(doc, 'spec.template.spec', 'activeDeadlineSeconds is forbidden');
        assert.equal(rule.reason, 'FieldValueForbidden', fileName);
        assert.equal(rule.fieldPath, '.activeDeadlineSeconds', fileName);
        assert.deepEqual(schemaAt(doc, 'spec.selector.matchExpressions[].operator').enum, ['In', 'NotIn', 'Exists', 'DoesNotExist'], fileName);
        assert.equal(ruleWith(doc, 'spec.selector.matchExpressions[]', 'values must be non-empty when operator is In or NotIn').fieldPath, '.values');
      }
    });
  });

  /** What MyDeployment and MyReplicaSet share: names, scale, status selector, selector rules. */
  for (const { fileName, kind, plural, singular, shortName } of [
    { fileName: 'mydeployments.apps.my.dev.yaml', kind: 'MyDeployment', plural: 'mydeployments', singular: 'mydeployment', shortName: 'mdeploy' },
    { fileName: 'myreplicasets.apps.my.dev.yaml', kind: 'MyReplicaSet', plural: 'myreplicasets', singular: 'myreplicaset', shortName: 'mrs' },
  ]) {
    describe(`${kind} (shared with apps/v1 ${kind.slice(2)})`, () => {
      const doc = crd(fileName);

      it(`is ${plural}.apps.my.dev, short name ${shortName}, in the workload categories`, () => {
        assert.equal(get(doc, 'metadata', 'name'), `${plural}.apps.my.dev`);
        assert.deepEqual(get(doc, 'spec', 'names'), {
          kind,
          listKind: `${kind}List`,
          plural,
          singular,
          shortNames: [shortName],
          categories: ['my-workloads', 'all'],
        });
        assert.equal(get(version(doc), 'name'), 'v1alpha1');
      });

      it('scales through spec.replicas, status.replicas and the string status.selector the controller writes', () => {
        assert.deepEqual(get(version(doc), 'subresources'), {
          status: {},
          scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' },
        });
        assert.equal(schemaAt(doc, 'status.selector').type, 'string');
      });

      it('defaults replicas to 1 and leaves minReadySeconds unset, both at least 0', () => {
        assert.equal(schemaAt(doc, 'spec.replicas').default, 1);
        assert.equal(schemaAt(doc, 'spec.replicas').minimum, 0);
        assert.equal(schemaAt(doc, 'spec.minReadySeconds').default, undefined);
        assert.equal(schemaAt(doc, 'spec.minReadySeconds').minimum, 0);
      });

      it('refuses an empty or changed selector, and template labels that do not match it', () => {
        assert.ok(ruleWith(doc, 'spec.selector', 'empty selector is invalid for').rule.includes('matchLabels'));
        assert.equal(ruleWith(doc, 'spec.selector', 'selector is immutable').rule, 'self == oldSelf');
        for (const text of ['every spec.selector.matchLabels entry', 'every spec.selector.matchExpressions requirement']) {
          assert.equal(ruleWith(doc, 'spec', text).fieldPath, '.template.metadata.labels');
        }
      });

      it('keeps status counts non-negative and bounded by status.replicas, and availableReplicas by readyReplicas', () => {
        for (const [name, property] of Object.entries(obj(schemaAt(doc, 'status').properties, 'status'))) {
          if (get(property, 'type') === 'integer') assert.equal(get(property, 'minimum'), 0, `status.${name}`);
        }
        const bounded = kind === 'MyDeployment' ? ['updatedReplicas', 'readyReplicas', 'availableReplicas'] : ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'];
        for (const name of bounded) assert.equal(ruleWith(doc, 'status', `status.${name} cannot be greater than status.replicas`).fieldPath, `.${name}`);
        assert.equal(ruleWith(doc, 'status', 'cannot be greater than status.readyReplicas').fieldPath, '.availableReplicas');
      });

      it('requires only type and status of a condition (a merge patch may add {type, status} alone)', () => {
        assert.deepEqual(schemaAt(doc, 'status.conditions[]').required, ['type', 'status']);
        assert.equal(get(schemaAt(doc, 'status.conditions'), 'x-kubernetes-list-type'), 'map');
      });
    });
  }

  describe('MyDeployment', () => {
    const doc = crd('mydeployments.apps.my.dev.yaml');

    it('prints the kubectl get deploy columns (READY n/m as Desired and Ready), with containers, images and selector for -o wide', () => {
      assert.deepEqual(columns(doc), [
        'Desired .spec.replicas',
        'Current .status.replicas',
        'Ready .status.readyReplicas',
        'Up-to-date .status.updatedReplicas',
        'Available .status.availableReplicas',
        'Age .metadata.creationTimestamp',
        'Containers* .spec.template.spec.containers[*].name',
        'Images* .spec.template.spec.containers[*].image',
        'Selector* .status.selector',
      ]);
    });

    it('defaults revisionHistoryLimit, progressDeadlineSeconds and the strategy type as apps/v1, all bounded below by 0', () => {
      assert.equal(schemaAt(doc, 'spec.revisionHistoryLimit').default, 10);
      assert.equal(schemaAt(doc, 'spec.progressDeadlineSeconds').default, 600);
      for (const name of ['revisionHistoryLimit', 'progressDeadlineSeconds']) assert.equal(schemaAt(doc, `spec.${name}`).minimum, 0, name);
      assert.deepEqual(schemaAt(doc, 'spec.strategy').default, {});
      assert.equal(schemaAt(doc, 'spec.strategy.type').default, 'RollingUpdate');
      assert.deepEqual(schemaAt(doc, 'spec.strategy.type').enum, ['Recreate', 'RollingUpdate']);
    });

    it('never defaults rollingUpdate (it would be written into Recreate specs), nor minReadySeconds or paused', () => {
      for (const where of ['spec.strategy.rollingUpdate', 'spec.strategy.rollingUpdate.maxSurge', 'spec.strategy.rollingUpdate.maxUnavailable', 'spec.paused', 'spec.minReadySeconds']) {
        assert.equal(schemaAt(doc, where).default, undefined, where);
      }
      assert.ok(!JSON.stringify(schemaAt(doc, 'spec.strategy').default).includes('25%'));
    });

    it('requires progressDeadlineSeconds to exceed minReadySeconds', () => {
      const rule = ruleWith(doc, 'spec', 'must be greater than minReadySeconds');
      assert.equal(rule.fieldPath, '.progressDeadlineSeconds');
      assert.equal(rule.message, 'progressDeadlineSeconds must be greater than minReadySeconds');
    });

    it("forbids rollingUpdate with type Recreate, as upstream's ValidateDeploymentStrategy", () => {
      assert.deepEqual(ruleWith(doc, 'spec.strategy', "may not be specified when strategy `type` is 'Recreate'"), {
        rule: "!has(self.rollingUpdate) || !has(self.type) || self.type != 'Recreate'",
        message: "rollingUpdate may not be specified when strategy `type` is 'Recreate'",
        fieldPath: '.rollingUpdate',
        reason: 'FieldValueForbidden',
      });
    });

    it('takes maxSurge and maxUnavailable as non-negative ints or percent strings, not both zero, maxUnavailable at most 100%', () => {
      const both = ruleWith(doc, 'spec.strategy.rollingUpdate', 'may not be 0 when `maxSurge` is 0');
      assert.equal(both.fieldPath, '.maxUnavailable');
      for (const name of ['maxSurge', 'maxUnavailable']) {
        const node = schemaAt(doc, `spec.strategy.rollingUpdate.${name}`);
        assert.equal(node['x-kubernetes-int-or-string'], true, name);
        assert.match(ruleWith(doc, `spec.strategy.rollingUpdate.${name}`, 'greater than or equal to 0').rule, /\^\[0-9\]\+%\$/);
      }
      ruleWith(doc, 'spec.strategy.rollingUpdate.maxUnavailable', 'must not be greater than 100%');
      assert.deepEqual(rulesAt(doc, 'spec.strategy.rollingUpdate.maxSurge').length, 1, 'maxSurge may exceed 100%');
    });

    it('never lets status.collisionCount decrease', () => {
      assert.equal(ruleWith(doc, 'status', 'collisionCount cannot be decremented').fieldPath, '.collisionCount');
    });
  });

  describe('MyReplicaSet', () => {
    const doc = crd('myreplicasets.apps.my.dev.yaml');

    it('prints the kubectl get rs columns, with containers, images and selector for -o wide', () => {
      assert.deepEqual(columns(doc), [
        'Desired .spec.replicas',
        'Current .status.replicas',
        'Ready .status.readyReplicas',
        'Age .metadata.creationTimestamp',
        'Containers* .spec.template.spec.containers[*].name',
        'Images* .spec.template.spec.containers[*].image',
        'Selector* .status.selector',
      ]);
    });

    it('has the ReplicaSet spec only: no strategy, history or deadline, and no collisionCount in its status', () => {
      assert.deepEqual(Object.keys(obj(schemaAt(doc, 'spec').properties, 'spec')).sort(), ['minReadySeconds', 'replicas', 'selector', 'template']);
      assert.equal(get(schemaAt(doc, 'status'), 'properties', 'collisionCount'), undefined);
      assert.equal(rulesAt(doc, 'status').filter((r) => r.message.includes('collisionCount')).length, 0);
    });
  });

  describe('MyDaemonSet', () => {
    const doc = crd('mydaemonsets.apps.my.dev.yaml');

    it('defaults an omitted updateStrategy to RollingUpdate with maxUnavailable 1 and maxSurge 0, like apps/v1', () => {
      const rollingUpdate = { maxUnavailable: 1, maxSurge: 0 };
      assert.deepEqual(schemaAt(doc, 'spec.updateStrategy').default, { type: 'RollingUpdate', rollingUpdate });
      // a given updateStrategy without rollingUpdate, or a partial one, is completed field by field
      assert.deepEqual(schemaAt(doc, 'spec.updateStrategy.rollingUpdate').default, {});
      assert.equal(schemaAt(doc, 'spec.updateStrategy.rollingUpdate.maxUnavailable').default, 1);
      assert.equal(schemaAt(doc, 'spec.updateStrategy.rollingUpdate.maxSurge').default, 0);
      assert.equal(schemaAt(doc, 'spec.revisionHistoryLimit').default, 10);
    });

    it('prints the kubectl get ds columns, with containers, images and selector for -o wide', () => {
      const columns = get(version(doc), 'additionalPrinterColumns');
      assert.ok(Array.isArray(columns));
      const names = columns.map((c) => `${str(get(c, 'name'))}${get(c, 'priority') === 1 ? '*' : ''}`);
      const wide = ['Containers*', 'Images*', 'Selector*'];
      assert.deepEqual(names, ['Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age', ...wide]);
      assert.equal(get(doc, 'spec', 'names', 'shortNames', 0), 'mds');
    });
  });

  describe('rollout-control extensions (docs/rollout-control.md)', () => {
    const daemonSet = crd('mydaemonsets.apps.my.dev.yaml');
    const statefulSet = crd('mystatefulsets.apps.my.dev.yaml');
    const deployment = crd('mydeployments.apps.my.dev.yaml');
    const replicaSet = crd('myreplicasets.apps.my.dev.yaml');
    /** A schema node as an extension declares it: marked as one in its description, no default. */
    const extension = (doc: JsonObject, where: string): JsonObject => {
      const node = schemaAt(doc, where);
      assert.ok(str(node.description).startsWith(`${extensionMark} `), `${where}: "${str(node.description)}" is not marked as an extension`);
      assert.equal(node.default, undefined, `${where} is defaulted`);
      return node;
    };

    for (const [kind, doc] of [
      ['MyDaemonSet', daemonSet],
      ['MyStatefulSet', statefulSet],
    ] as const) {
      it(`${kind}: spec.paused, spec.progressDeadlineSeconds (int32, at least 1) and spec.autoRollback, none defaulted`, () => {
        assert.equal(extension(doc, 'spec.paused').type, 'boolean');
        assert.equal(extension(doc, 'spec.autoRollback').type, 'boolean');
        const deadline = extension(doc, 'spec.progressDeadlineSeconds');
        assert.deepEqual([deadline.type, deadline.format, deadline.minimum], ['integer', 'int32', 1]);
        assert.match(str(deadline.description), /Unset: no deadline/);
      });

      it(`${kind}: requires progressDeadlineSeconds to exceed minReadySeconds with MyDeployment's rule`, () => {
        assert.deepEqual(
          ruleWith(doc, 'spec', 'must be greater than minReadySeconds'),
          ruleWith(deployment, 'spec', 'must be greater than minReadySeconds'),
        );
      });

      it(`${kind}: conditions carry lastUpdateTime, as a Deployment's`, () => {
        const lastUpdateTime = withoutDescriptions(extension(doc, 'status.conditions[].lastUpdateTime'));
        assert.deepEqual(lastUpdateTime, withoutDescriptions(schemaAt(deployment, 'status.conditions[].lastUpdateTime')));
        assert.equal(lastUpdateTime.format, 'date-time');
        assert.deepEqual(schemaAt(doc, 'status.conditions[]').required, ['type', 'status']);
      });
    }

    for (const [kind, doc, revisions] of [
      ['MyDaemonSet', daemonSet, 'ControllerRevision'],
      ['MyStatefulSet', statefulSet, 'ControllerRevision'],
      ['MyDeployment', deployment, 'MyReplicaSet'],
    ] as const) {
      it(`${kind}: status.stableRevision and status.rollback, naming ${revisions}s`, () => {
        assert.equal(extension(doc, 'status.stableRevision').type, 'string');
        assert.match(str(schemaAt(doc, 'status.stableRevision').description), new RegExp(revisions));
        const rollback = extension(doc, 'status.rollback');
        assert.equal(rollback.type, 'object');
        assert.deepEqual(rollback.required, ['generation', 'revision']);
        // removed with a merge patch null, which deletes the key before validation
        assert.equal(rollback.nullable, undefined);
        const properties = obj(rollback.properties, 'rollback');
        assert.deepEqual(Object.keys(properties).sort(), ['failedRevision', 'failedRevisionNumber', 'generation', 'revision', 'revisionNumber']);
        for (const name of ['generation', 'revisionNumber', 'failedRevisionNumber']) {
          assert.deepEqual(withoutDescriptions(obj(properties[name], name)), { type: 'integer', format: 'int64', minimum: 0 }, name);
        }
      });
    }

    it('MyDeployment: spec.autoRollback only; paused and progressDeadlineSeconds stay apps/v1\'s', () => {
      assert.equal(extension(deployment, 'spec.autoRollback').type, 'boolean');
      for (const name of ['paused', 'progressDeadlineSeconds']) {
        assert.ok(!str(schemaAt(deployment, `spec.${name}`).description).startsWith(extensionMark), name);
      }
    });

    it('MyReplicaSet: none of them', () => {
      assert.equal(get(schemaAt(replicaSet, 'spec'), 'properties', 'autoRollback'), undefined);
      for (const name of ['stableRevision', 'rollback']) assert.equal(get(schemaAt(replicaSet, 'status'), 'properties', name), undefined, name);
    });

    it('MyDaemonSet: rollingUpdate.partition is an int32 of at least 0, not defaulted, and the strategy default stays apps/v1\'s', () => {
      const partition = extension(daemonSet, 'spec.updateStrategy.rollingUpdate.partition');
      assert.deepEqual([partition.type, partition.format, partition.minimum], ['integer', 'int32', 0]);
      assert.deepEqual(schemaAt(daemonSet, 'spec.updateStrategy').default, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
      assert.deepEqual(schemaAt(daemonSet, 'spec.updateStrategy.rollingUpdate').default, {});
    });

    it("MyDaemonSet: rollingUpdate.selector is spec.selector's schema and requirement rules, without its non-empty and immutable rules", () => {
      const canary = extension(daemonSet, 'spec.updateStrategy.rollingUpdate.selector');
      const selector = schemaAt(daemonSet, 'spec.selector');
      const { 'x-kubernetes-validations': selectorRules, ...rest } = withoutDescriptions(selector);
      assert.equal(Array.isArray(selectorRules) ? selectorRules.length : 0, 2);
      assert.deepEqual(withoutDescriptions(canary), rest);
      assert.equal(ruleWith(daemonSet, 'spec.updateStrategy.rollingUpdate.selector.matchExpressions[]', 'values must be non-empty').fieldPath, '.values');
      assert.equal(schemaAt(daemonSet, 'spec.updateStrategy.rollingUpdate.selector.matchLabels').maxProperties, 256);
      assert.ok(str(schemaAt(daemonSet, 'spec.updateStrategy.rollingUpdate.selector.matchExpressions[].key').pattern).length > 0);
    });

    it('MyStatefulSet: the immutability messages list the new fields, which have no immutability rule', () => {
      for (const where of ['spec.podManagementPolicy', 'spec.serviceName']) {
        assert.match(
          ruleWith(statefulSet, where, 'is immutable').message,
          /minReadySeconds, paused, progressDeadlineSeconds and autoRollback may change, and volumeClaimTemplates\[\*\]\.spec\.resources\.requests\.storage may grow$/,
        );
      }
      for (const name of ['paused', 'progressDeadlineSeconds', 'autoRollback']) {
        assert.deepEqual(rulesAt(statefulSet, `spec.${name}`), [], name);
      }
    });
  });

  describe('MyStatefulSet', () => {
    const doc = crd('mystatefulsets.apps.my.dev.yaml');

    it('defaults replicas, pod management, update strategy and PVC retention like apps/v1', () => {
      assert.equal(schemaAt(doc, 'spec.replicas').default, 1);
      assert.equal(schemaAt(doc, 'spec.podManagementPolicy').default, 'OrderedReady');
      assert.deepEqual(schemaAt(doc, 'spec.updateStrategy').default, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
      assert.equal(schemaAt(doc, 'spec.updateStrategy.rollingUpdate.maxUnavailable').default, undefined);
      assert.deepEqual(schemaAt(doc, 'spec.persistentVolumeClaimRetentionPolicy').default, { whenDeleted: 'Retain', whenScaled: 'Retain' });
    });

    it('scales through spec.replicas, status.replicas and the string status.selector', () => {
      assert.deepEqual(get(version(doc), 'subresources', 'scale'), {
        specReplicasPath: '.spec.replicas',
        statusReplicasPath: '.status.replicas',
        labelSelectorPath: '.status.selector',
      });
      assert.equal(schemaAt(doc, 'status.selector').type, 'string');
      assert.equal(get(doc, 'spec', 'names', 'shortNames', 0), 'msts');
    });

    describe('claim-template growth (docs/volume-growth.md)', () => {
      const growthRule = 'volumeClaimTemplates: only spec.resources.requests.storage may change, and only grow';
      const rawRules = (where: string): JsonObject[] => {
        const list = schemaAt(doc, where)['x-kubernetes-validations'];
        return (Array.isArray(list) ? list : []).map((r) => obj(r, where));
      };

      it("replaces apps/v1's self == oldSelf on the templates with the growth rules, all naming the rule", () => {
        const rules = rawRules('spec.volumeClaimTemplates');
        assert.equal(rules.length, 2);
        for (const rule of rules) {
          assert.ok(str(rule.message).startsWith(growthRule), str(rule.message));
          assert.notEqual(rule.rule, 'self == oldSelf');
          assert.match(str(rule.rule), /oldSelf/);
        }
        const [, shrink] = rules;
        assert.match(str(shrink?.messageExpression), /spec\.volumeClaimTemplates\[' \+ .*\]\.spec\.resources\.requests\.storage may not decrease from/);
        assert.match(str(shrink?.rule), /isLessThan/);
        // adding the first template or removing the last is the spec-level rule's
        const presence = ruleWith(doc, 'spec', growthRule);
        assert.equal(presence.fieldPath, '.volumeClaimTemplates');
      });

      it('keeps every claim field but the storage request immutable, from the schema (a field a later Kubernetes adds included)', () => {
        const [same] = rawRules('spec.volumeClaimTemplates');
        const rule = str(same?.rule);
        const fields = (where: string, except: string): string[] => Object.keys(obj(schemaAt(doc, where).properties, where)).filter((n) => n !== except);
        for (const name of fields('spec.volumeClaimTemplates[]', 'spec')) assert.match(rule, new RegExp(`t\\.${name}\\b`), name);
        for (const name of fields('spec.volumeClaimTemplates[].spec', 'resources')) assert.match(rule, new RegExp(`t\\.spec\\.${name}\\b`), name);
        assert.match(rule, /t\.spec\.resources\.limits\b/);
        assert.match(rule, /k == 'storage' \|\|/);
      });

      it('bounds what the rules compare, for the CEL cost budget', () => {
        assert.equal(schemaAt(doc, 'spec.volumeClaimTemplates').maxItems, 32);
        assert.equal(schemaAt(doc, 'spec.volumeClaimTemplates[].metadata.name').maxLength, 63);
        for (const name of ['storageClassName', 'volumeName', 'volumeAttributesClassName']) {
          assert.equal(schemaAt(doc, `spec.volumeClaimTemplates[].spec.${name}`).maxLength, 253, name);
        }
        assert.equal(schemaAt(doc, 'spec.volumeClaimTemplates[].spec.accessModes').maxItems, 4);
        for (const name of ['requests', 'limits']) {
          const map = schemaAt(doc, `spec.volumeClaimTemplates[].spec.resources.${name}`);
          assert.equal(map.maxProperties, 16, name);
          assert.equal(get(map, 'additionalProperties', 'maxLength'), 64, name);
        }
      });

      it('reports status.volumeClaimTemplates per template name, as an extension', () => {
        const list = schemaAt(doc, 'status.volumeClaimTemplates');
        assert.ok(str(list.description).startsWith(`${extensionMark} `), str(list.description));
        assert.equal(list.default, undefined);
        assert.equal(list['x-kubernetes-list-type'], 'map');
        assert.deepEqual(list['x-kubernetes-list-map-keys'], ['name']);
        const item = schemaAt(doc, 'status.volumeClaimTemplates[]');
        assert.deepEqual(item.required, ['name', 'requestedStorage']);
        assert.deepEqual(Object.keys(obj(item.properties, 'item')).sort(), ['name', 'requestedStorage', 'resizedClaims', 'updatedClaims']);
        for (const name of ['updatedClaims', 'resizedClaims']) {
          assert.deepEqual(withoutDescriptions(schemaAt(doc, `status.volumeClaimTemplates[].${name}`)), { type: 'integer', format: 'int32', minimum: 0 }, name);
        }
      });
    });

    it('requires a name, access modes and a storage request in every volumeClaimTemplate', () => {
      assert.deepEqual(schemaAt(doc, 'spec.volumeClaimTemplates[].metadata').required, ['name']);
      assert.deepEqual(schemaAt(doc, 'spec.volumeClaimTemplates[].spec').required, ['accessModes', 'resources']);
      assert.deepEqual(schemaAt(doc, 'spec.volumeClaimTemplates[].spec.resources.requests').required, ['storage']);
    });
  });
});

// Claim-template growth on MyStatefulSet (docs/volume-growth.md), as CEL: apps/v1 refuses any change
// to spec.volumeClaimTemplates (upstream: pkg/apis/apps/validation ValidateStatefulSetUpdate);
// ours lets exactly one field change, spec.resources.requests.storage, and only to a quantity at
// least as large. Everything else in every template, and the templates' number, names and order,
// stay immutable. The webhook (src/admission/claim-growth.ts) says the same with a field path.
//
// Written for the CEL of Kubernetes 1.30 (the chart's kubeVersion): no two-variable
// comprehensions (1.33 for new CRDs) and no lists.range (1.35). The first rule pins the names in
// order, so a template's old self is the old template of the same name. quantity() and
// isQuantity() are the Kubernetes quantity library (1.28), trim() the strings extension. For the
// cost estimate: only has() tests presence (comparing two optionals has no bound), the storage
// request is read as requests['storage'] (a field selection on a map loses its maxLength), and
// indexOf runs on the templates, not on a mapped list (whose elements have no size).
import type { Schema, ValidationRule } from './gen-crds.ts';

/** The message of every rule that guards spec.volumeClaimTemplates. */
export const claimTemplatesMessage = 'volumeClaimTemplates: only spec.resources.requests.storage may change, and only grow';

/**
 * Bounds that keep the rules within the CEL cost budget, which every string, list and map they
 * compare needs. Where upstream's claim validation (ValidatePersistentVolumeClaimSpec) already
 * implies one, it is that: names are DNS subdomains (253) or labels (63), four access modes exist.
 * The others are ours and far above any real claim: upstream has no bound on the number of
 * templates, of resource names, on a quantity's text, or on a template's apiVersion and kind.
 */
export const claimTemplateBounds = {
  templates: 32,
  resourceNames: 16,
  quantityLength: 64,
  accessModes: 4,
  subdomain: 253,
  label: 63,
  apiVersion: 253 + 1 + 63,
} as const;

/** A template's storage request as a quantity string (int-or-string in the schema, trimmed as ParseQuantity's JSON decoding does). */
const storage = (template: string): string => `string(${template}.spec.resources.requests['storage']).trim()`;

/** `template`'s storage request parses and is below `old`'s (quantities compared by value, so 1024Mi == 1Gi). */
const shrinks = (template: string, old: string): string =>
  `isQuantity(${storage(template)}) && isQuantity(${storage(old)}) && quantity(${storage(template)}).isLessThan(quantity(${storage(old)}))`;

function properties(schema: Schema | undefined, where: string): Record<string, Schema> {
  if (!schema?.properties) throw new Error(`claim-template growth: ${where} has no properties`);
  return schema.properties;
}

/** `a.name` equals `b.name`, absent equals absent. */
function sameProperty(schema: Schema, name: string, a: string, b: string): string {
  if (schema.required?.includes(name)) return `${a}.${name} == ${b}.${name}`;
  return `(has(${a}.${name}) ? has(${b}.${name}) && ${a}.${name} == ${b}.${name} : !has(${b}.${name}))`;
}

/**
 * CEL for "template `t` equals template `o` but for spec.resources.requests.storage", built from
 * the item schema, so a claim field a later Kubernetes adds is immutable without a change here.
 */
export function sameButStorage(item: Schema, t: string, o: string): string {
  const spec = properties(item, 'volumeClaimTemplates[]').spec;
  const resources = properties(spec, 'spec').resources;
  const requests = properties(resources, 'spec.resources').requests;
  if (!spec || !resources || !requests?.additionalProperties) throw new Error('claim-template growth: no spec.resources.requests map');
  const parts: string[] = [];
  const levels: [Schema, string, string][] = [
    [item, '', 'spec'],
    [spec, '.spec', 'resources'],
    [resources, '.spec.resources', 'requests'],
  ];
  for (const [schema, path, descend] of levels) {
    for (const name of Object.keys(properties(schema, path)).sort()) {
      if (name !== descend) parts.push(sameProperty(schema, name, `${t}${path}`, `${o}${path}`));
    }
  }
  // requests is a map in which storage is required: every other key the same, none added or removed
  const tr = `${t}.spec.resources.requests`;
  const or = `${o}.spec.resources.requests`;
  parts.push(`size(${tr}) == size(${or})`, `${tr}.all(k, k == 'storage' || (k in ${or} && ${tr}[k] == ${or}[k]))`);
  return parts.join(' && ');
}

const names = (list: string): string => `${list}.map(x, x.metadata.name)`;
/** Some old template `o` has the name of `t` and `condition` holds. */
const withOld = (t: string, condition: string): string => `oldSelf.exists(o, o.metadata.name == ${t}.metadata.name && ${condition})`;

/**
 * The indexes 0 … maxItems-1 as strings: string(int) has no size bound in the cost estimate, and
 * the format library is 1.31, so the message looks an index up here.
 */
const indexText = `[${Array.from({ length: claimTemplateBounds.templates }, (_, i) => `'${i}'`).join(', ')}]`;

/** The rules on spec.volumeClaimTemplates (the list), in place of apps/v1's `self == oldSelf`. */
export function claimTemplateRules(list: Schema): ValidationRule[] {
  const item = list.items;
  if (!item) throw new Error('claim-template growth: volumeClaimTemplates is not a list');
  const sameNames = `${names('self')} == ${names('oldSelf')}`;
  // The first template that shrinks, by index: the names are in the same order when the rule
  // fails, so oldSelf[i] is its old self. Values read from a filter() result have no size bound.
  const i = `self.indexOf(self.filter(t, ${withOld('t', shrinks('t', 'o'))})[0])`;
  return [
    {
      // No template added, removed, renamed or moved; each unchanged but for its storage request.
      rule: `${sameNames} && self.all(t, ${withOld('t', sameButStorage(item, 't', 'o'))})`,
      message: claimTemplatesMessage,
    },
    {
      // Claims cannot shrink (upstream: ValidatePersistentVolumeClaimUpdate refuses a request below
      // the claim's capacity), so neither may the template they are grown to. Other changes are
      // the rule above's; the message names the first template that shrinks by its index.
      rule: `!(${sameNames}) || !self.exists(t, ${withOld('t', shrinks('t', 'o'))})`,
      message: `${claimTemplatesMessage}: a storage request may not decrease (claims cannot shrink)`,
      messageExpression:
        `'${claimTemplatesMessage}: spec.volumeClaimTemplates[' + ${indexText}[${i}] + ` +
        `'].spec.resources.requests.storage may not decrease from ' + ${storage(`oldSelf[${i}]`)} + ' to ' + ${storage(`self[${i}]`)} + ' (claims cannot shrink)'`,
    },
  ];
}

/** The spec-level rule: volumeClaimTemplates may not appear or disappear (empty and absent are alike, as in upstream's DeepEqual). */
export const claimTemplatesPresenceRule: ValidationRule = {
  rule: '(has(self.volumeClaimTemplates) && size(self.volumeClaimTemplates) > 0) == (has(oldSelf.volumeClaimTemplates) && size(oldSelf.volumeClaimTemplates) > 0)',
  message: claimTemplatesMessage,
  fieldPath: '.volumeClaimTemplates',
};

/** Applies claimTemplateBounds to spec.volumeClaimTemplates (the list schema). */
export function boundClaimTemplates(list: Schema): void {
  const b = claimTemplateBounds;
  const item = list.items;
  const at = (schema: Schema | undefined, ...path: string[]): Schema => {
    let node = schema;
    for (const name of path) node = node?.properties?.[name];
    if (!node) throw new Error(`claim-template bounds: no ${path.join('.')}`);
    return node;
  };
  list.maxItems = b.templates;
  at(item, 'apiVersion').maxLength = b.apiVersion;
  at(item, 'kind').maxLength = b.label;
  at(item, 'metadata', 'name').maxLength = b.label;
  const spec = at(item, 'spec');
  at(spec, 'accessModes').maxItems = b.accessModes;
  for (const name of ['storageClassName', 'volumeAttributesClassName', 'volumeName']) at(spec, name).maxLength = b.subdomain;
  at(spec, 'volumeMode').maxLength = 'Filesystem'.length;
  for (const name of ['limits', 'requests']) {
    const map = at(spec, 'resources', name);
    if (!map.additionalProperties) throw new Error(`claim-template bounds: resources.${name} is not a map`);
    map.maxProperties = b.resourceNames;
    map.additionalProperties.maxLength = b.quantityLength;
  }
}

/** status.volumeClaimTemplates[] (src/api/workloads.ts VolumeClaimTemplateStatus), without its description. */
export const claimTemplatesStatus: Omit<Schema, 'description'> = {
  type: 'array',
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['name'],
  maxItems: claimTemplateBounds.templates,
  items: {
    type: 'object',
    required: ['name', 'requestedStorage'],
    properties: {
      name: { type: 'string', description: "The claim template's metadata.name." },
      requestedStorage: {
        type: 'string',
        description: "The template's spec.resources.requests.storage, which every claim of the set is grown to.",
      },
      updatedClaims: {
        type: 'integer',
        format: 'int32',
        minimum: 0,
        description: 'Claims whose spec.resources.requests.storage is at least requestedStorage (their request is patched).',
      },
      resizedClaims: {
        type: 'integer',
        format: 'int32',
        minimum: 0,
        description: 'Claims whose status.capacity.storage is at least requestedStorage (their volume has grown).',
      },
    },
  },
};

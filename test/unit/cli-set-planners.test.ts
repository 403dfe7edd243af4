// The pure decisions of `kubectl my set`: which objects the words name, which containers a
// pattern selects, the templates image, resources and env make, the quantity text kubectl sends,
// and the JSON patch that writes only what changed.
import assert from 'node:assert/strict';
import type { PodTemplateSpec } from '../../src/api/core.ts';
import { parseEnv, splitEnvironmentFromResources } from '../../src/cli/set/env-args.ts';
import { jsonPatch } from '../../src/cli/set/json-patch.ts';
import { envListing, planSetEnv } from '../../src/cli/set/plan-env.ts';
import { imagePairsErrors, planSetImage, splitImageArgs } from '../../src/cli/set/plan-image.ts';
import { parseResourceList, planSetResources } from '../../src/cli/set/plan-resources.ts';
import { kubectlQuantity } from '../../src/cli/set/quantity-text.ts';
import { missingResourceMessage, selectionFromArgs } from '../../src/cli/set/resource-args.ts';
import { selectString } from '../../src/cli/set/select-containers.ts';

function template(spec: Partial<PodTemplateSpec['spec']> = {}): PodTemplateSpec {
  return {
    metadata: { labels: { app: 'web' } },
    spec: { containers: [{ name: 'app', image: 'app:1' }, { name: 'sidecar', image: 'side:1' }], initContainers: [{ name: 'init', image: 'init:1' }], ...spec },
  };
}

const none = { all: false, selector: '' };

describe('kubectl my set: the objects the words name', () => {
  const rows: { name: string; args: string[]; options?: { all: boolean; selector: string }; expected: unknown }[] = [
    {
      name: 'TYPE/NAME words, any spelling of the kind',
      args: ['mds/a', 'mydeployments.apps.my.dev/b'],
      expected: { kind: 'named', targets: [{ kind: 'MyDaemonSet', name: 'a' }, { kind: 'MyDeployment', name: 'b' }] },
    },
    { name: 'one type then names', args: ['msts', 'a', 'b'], expected: { kind: 'named', targets: [{ kind: 'MyStatefulSet', name: 'a' }, { kind: 'MyStatefulSet', name: 'b' }] } },
    {
      name: 'each listed type with each name',
      args: ['mds,mdeploy', 'a'],
      expected: { kind: 'named', targets: [{ kind: 'MyDaemonSet', name: 'a' }, { kind: 'MyDeployment', name: 'a' }] },
    },
    { name: 'a lone type with --all: everything', args: ['mdeploy'], options: { all: true, selector: '' }, expected: { kind: 'selected', kinds: ['MyDeployment'], labelSelector: '' } },
    { name: 'a type with -l', args: ['mds,msts'], options: { all: false, selector: 'app=web' }, expected: { kind: 'selected', kinds: ['MyDaemonSet', 'MyStatefulSet'], labelSelector: 'app=web' } },
  ];
  for (const row of rows) {
    it(`reads ${row.name}`, () => assert.deepEqual(selectionFromArgs(row.args, row.options ?? none), row.expected));
  }

  it('refuses what kubectl’s resource builder refuses, with its messages', () => {
    assert.throws(() => selectionFromArgs([], none), { message: missingResourceMessage });
    assert.throws(() => selectionFromArgs(['mds'], none), { message: 'resource(s) were provided, but no name was specified' });
    assert.throws(() => selectionFromArgs(['mds', 'mds/a'], none), /there is no need to specify a resource type as a separate argument/);
    assert.throws(() => selectionFromArgs(['mds/a/b'], none), { message: 'arguments in resource/name form may not have more than one slash' });
    assert.throws(() => selectionFromArgs(['mds/a'], { all: false, selector: 'x=y' }), {
      message: 'selectors and the all flag cannot be used when passing resource/name arguments',
    });
    assert.throws(() => selectionFromArgs(['mds', 'a'], { all: false, selector: 'x=y' }), { message: 'name cannot be provided when a selector is specified' });
    assert.throws(() => selectionFromArgs(['pods/a'], none), /unsupported resource type "pods"/);
  });
});

describe('kubectl my set: --containers patterns', () => {
  it('matches as kubectl’s selectString does, quirks included', () => {
    const rows: [string, string, boolean][] = [
      ['app', '*', true],
      ['app', 'app', true],
      ['app', 'ap', false],
      ['app-sidecar', 'app*', true],
      ['my-app', '*app', true],
      ['my-app-x', '*app', false],
      // kubectl looks the first piece up anywhere in the name.
      ['ab', 'b*', true],
    ];
    for (const [name, spec, expected] of rows) assert.equal(selectString(name, spec), expected, `${spec} on ${name}`);
  });
});

describe('kubectl my set image: the template', () => {
  it('sets the named container’s image and leaves the others', () => {
    const plan = planSetImage(template(), new Map([['sidecar', 'side:2']]));
    assert.deepEqual(plan.errors, []);
    assert.deepEqual(plan.template.spec.containers, [{ name: 'app', image: 'app:1' }, { name: 'sidecar', image: 'side:2' }]);
    assert.deepEqual(plan.template.spec.initContainers, [{ name: 'init', image: 'init:1' }]);
  });

  it('sets every container and init container for *', () => {
    const plan = planSetImage(template(), new Map([['*', 'all:2']]));
    assert.deepEqual([...plan.template.spec.containers, ...(plan.template.spec.initContainers ?? [])].map((c) => c.image), ['all:2', 'all:2', 'all:2']);
  });

  it('reports each name no container has, with kubectl’s quoting, and still sets the others', () => {
    const plan = planSetImage(template(), new Map([['app', 'app:2'], ['db', 'db:1']]));
    assert.deepEqual(plan.errors, ['error: unable to find container named "db"']);
    assert.equal(plan.template.spec.containers[0]?.image, 'app:2');
  });

  it('splits resources from pairs and checks the pairs as kubectl does', () => {
    assert.deepEqual(splitImageArgs(['mds/a', 'app=x', 'app=y']), { resources: ['mds/a'], images: new Map([['app', 'y']]) });
    assert.throws(() => splitImageArgs(['app=x', 'mds/a']), { message: 'all resources must be specified before image changes: mds/a' });
    assert.throws(() => splitImageArgs(['mds/a', 'app-']), { message: 'invalid image format: app-' });
    assert.deepEqual(imagePairsErrors(new Map()), ['at least one image update is required']);
    assert.deepEqual(imagePairsErrors(new Map([['*', 'a'], ['b', 'c']])), [
      'all containers are already specified by *, but saw more than one container_name=container_image pairs',
    ]);
  });
});

describe('kubectl my set resources: quantities and the template', () => {
  it('writes each quantity as kubectl’s encoder does', () => {
    const rows: [string, string][] = [
      ['200m', '200m'],
      ['0.5', '500m'],
      ['1000m', '1'],
      ['1.5Gi', '1536Mi'],
      ['2048Ki', '2Mi'],
      ['1025Ki', '1025Ki'],
      ['512Mi', '512Mi'],
      ['1e3', '1e3'],
      ['1e2', '100'],
      ['0', '0'],
      ['0.1n', '1n'],
    ];
    for (const [typed, sent] of rows) assert.deepEqual(kubectlQuantity(typed), { kind: 'parsed', text: sent }, typed);
  });

  it('refuses what ParseQuantity refuses, with its messages', () => {
    assert.throws(() => parseResourceList('cpu=abc'), { message: "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'" });
    assert.throws(() => parseResourceList('cpu=1KK'), { message: "unable to parse quantity's suffix" });
    assert.throws(() => parseResourceList('cpu'), { message: 'Invalid argument syntax cpu, expected <resource>=<value>' });
    assert.throws(() => parseResourceList('cpu=1,memory='), /quantities must match/);
  });

  it('sets limits and requests on every container by default, keeping the other resources', () => {
    const base = template({ containers: [{ name: 'app', resources: { limits: { memory: '1Gi' }, claims: [{ name: 'gpu' }] } }] });
    const plan = planSetResources(base, '*', { limits: parseResourceList('cpu=200m'), requests: parseResourceList('cpu=0.1') });
    assert.equal(plan.kind, 'transformed');
    if (plan.kind !== 'transformed') return;
    assert.deepEqual(plan.template.spec.containers[0]?.resources, { limits: { memory: '1Gi', cpu: '200m' }, requests: { cpu: '100m' }, claims: [{ name: 'gpu' }] });
    assert.deepEqual(plan.template.spec.initContainers?.[0]?.resources, { limits: { cpu: '200m' }, requests: { cpu: '100m' } });
  });

  it('leaves a stored value whose text kubectl would write the same', () => {
    const base = template({ containers: [{ name: 'app', resources: { limits: { cpu: '1000m' } } }], initContainers: undefined });
    const plan = planSetResources(base, 'app', { limits: parseResourceList('cpu=1') });
    assert.equal(plan.kind === 'transformed' && plan.template.spec.containers[0], base.spec.containers[0]);
  });

  it('reports the pattern when no container matches', () => {
    assert.deepEqual(planSetResources(template(), 'db*', { limits: parseResourceList('cpu=1') }), { kind: 'noContainers', error: 'error: unable to find container named db*' });
  });
});

describe('kubectl my set env: arguments, the template and --list', () => {
  it('splits resources from variables and parses them with kubectl’s messages', () => {
    assert.deepEqual(splitEnvironmentFromResources(['mds/a', 'A=1', 'B-']), { resources: ['mds/a'], envArgs: ['A=1', 'B-'] });
    assert.equal(splitEnvironmentFromResources(['A=1', 'mds/a']), undefined);
    assert.deepEqual(parseEnv(['A=1', 'B=', 'C-']), { env: [{ name: 'A', value: '1' }, { name: 'B' }], remove: ['C'] });
    assert.throws(() => parseEnv(['1A=x']), {
      message:
        "\"1A\" is not a valid key name: a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name' or 'MY_ENV.NAME' or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
    });
    assert.throws(() => parseEnv(['A=1', 'A-']), { message: 'can not both modify and remove the same environment variable in the same command' });
    assert.throws(() => parseEnv(['A']), { message: 'unknown environment variable: A' });
  });

  const withEnv = template({
    containers: [{ name: 'app', env: [{ name: 'A', value: '1' }, { name: 'REF', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } }] }],
    initContainers: undefined,
  });

  it('replaces in place, appends new ones, removes, and drops env when it becomes empty', () => {
    const plan = planSetEnv(withEnv, { env: [{ name: 'B', value: '2' }, { name: 'A', value: '9' }], remove: ['REF'], containerSelector: '*', overwrite: true });
    assert.equal(plan.kind, 'updated');
    assert.deepEqual(plan.kind === 'updated' && plan.template.spec.containers[0]?.env, [{ name: 'A', value: '9' }, { name: 'B', value: '2' }]);
    const emptied = planSetEnv(withEnv, { env: [], remove: ['A', 'REF'], containerSelector: 'app', overwrite: true });
    assert.deepEqual(emptied.kind === 'updated' && emptied.template.spec.containers[0], { name: 'app' });
  });

  it('refuses to change a value with --overwrite=false, but not to set the same one', () => {
    assert.deepEqual(planSetEnv(withEnv, { env: [{ name: 'A', value: '2' }], remove: [], containerSelector: '*', overwrite: false }), {
      kind: 'refused',
      error: "'A' already has a value (1), and --overwrite is false",
      listed: [],
    });
    const same = planSetEnv(withEnv, { env: [{ name: 'A', value: '1' }], remove: [], containerSelector: '*', overwrite: false });
    assert.equal(same.kind === 'updated' && same.template.spec.containers[0], withEnv.spec.containers[0]);
  });

  it('lists each container’s variables in kubectl’s format', () => {
    const plan = planSetEnv(withEnv, { env: [], remove: [], containerSelector: '*', overwrite: true });
    assert.deepEqual(envListing('MyDeployment', 'web', plan.kind === 'updated' ? plan.listed : []), [
      '# MyDeployment web, container app',
      'A=1',
      '# REF from configmap cm, key k',
    ]);
  });
});

describe('kubectl my set: the JSON patch', () => {
  const before = {
    metadata: { name: 'web', resourceVersion: '7' },
    spec: { template: { spec: { containers: [{ name: 'app', image: 'a:1', resources: { limits: { 'nvidia.com/gpu': '1' } } }] } } },
  };

  it('guards with the resourceVersion read, then touches only the changed fields, pointer-escaped', () => {
    const after = {
      metadata: { name: 'web', resourceVersion: '7', annotations: { 'kubernetes.io/change-cause': 'why' } },
      spec: { template: { spec: { containers: [{ name: 'app', image: 'a:2', resources: { limits: { 'nvidia.com/gpu': '2' } } }] } } },
    };
    assert.deepEqual(jsonPatch(before, after), [
      { op: 'replace', path: '/metadata/resourceVersion', value: '7' },
      { op: 'add', path: '/metadata/annotations', value: { 'kubernetes.io/change-cause': 'why' } },
      { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'a:2' },
      { op: 'replace', path: '/spec/template/spec/containers/0/resources/limits/nvidia.com~1gpu', value: '2' },
    ]);
  });

  it('adds one annotation into existing ones, and sends nothing when nothing changed', () => {
    const annotated = { ...before, metadata: { ...before.metadata, annotations: { a: 'b' } } };
    const after = { ...annotated, metadata: { ...annotated.metadata, annotations: { a: 'b', 'kubernetes.io/change-cause': 'why' } } };
    assert.deepEqual(jsonPatch(annotated, after)[1], { op: 'add', path: '/metadata/annotations/kubernetes.io~1change-cause', value: 'why' });
    assert.deepEqual(jsonPatch(before, structuredClone(before)), []);
  });
});

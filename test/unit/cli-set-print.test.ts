// How `kubectl my set -o json|yaml|name` prints objects: as kubectl prints a custom resource.
import assert from 'node:assert/strict';
import { printYaml, yamlV2KeyLess } from '../../src/cli/set/kubectl-yaml.ts';
import { objectPrinter, operationText, printJson } from '../../src/cli/set/print-object.ts';

describe('kubectl my set: printing objects', () => {
  it('orders YAML keys as go-yaml v2 does: other characters before letters, digit runs by value', () => {
    const keys = ['a10', 'B', 'a9', '_x', 'a', 'b'];
    assert.deepEqual(keys.sort((x, y) => (yamlV2KeyLess(x, y) ? -1 : yamlV2KeyLess(y, x) ? 1 : 0)), ['_x', 'B', 'a', 'a9', 'a10', 'b']);
  });

  it('folds a long change cause past column 80 at the next space, as kubectl’s YAML shows it', () => {
    const cause = 'kubectl my set image mydeployment.apps.my.dev/nginx-deployment nginx=nginx:1.9.1 --record=true --namespace=seeds';
    assert.equal(
      printYaml({ metadata: { annotations: { 'kubernetes.io/change-cause': cause, on: 'yes' } } }),
      [
        'metadata:',
        '  annotations:',
        '    kubernetes.io/change-cause: kubectl my set image mydeployment.apps.my.dev/nginx-deployment',
        '      nginx=nginx:1.9.1 --record=true --namespace=seeds',
        '    "on": "yes"',
      ].join('\n'),
    );
  });

  it('leaves the lines of a block scalar as they are', () => {
    const text = `${'word '.repeat(20)}end\nsecond`;
    assert.equal(printYaml({ script: text }), `script: |-\n  ${text.replace('\n', '\n  ')}`);
  });

  it('prints JSON with sorted keys, four spaces, and Go’s HTML escaping', () => {
    assert.equal(printJson({ b: '<&>', a: { d: {}, c: [] } }), '{\n    "a": {\n        "c": [],\n        "d": {}\n    },\n    "b": "\\u003c\\u0026\\u003e"\n}');
  });

  it('names objects with the operation and the dry-run suffix, or alone for -o name, and separates YAML documents', () => {
    const obj = { apiVersion: 'apps.my.dev/v1alpha1', kind: 'MyStatefulSet', metadata: { name: 'web', managedFields: [{}] } };
    assert.equal(objectPrinter('default', operationText('env updated', 'server')).print('MyStatefulSet', obj), 'mystatefulset.apps.my.dev/web env updated (server dry run)');
    assert.equal(objectPrinter('name', operationText('env updated', 'client')).print('MyStatefulSet', obj), 'mystatefulset.apps.my.dev/web');
    const yaml = objectPrinter('yaml', '');
    assert.equal(yaml.print('MyStatefulSet', obj), 'apiVersion: apps.my.dev/v1alpha1\nkind: MyStatefulSet\nmetadata:\n  name: web');
    assert.match(yaml.print('MyStatefulSet', obj), /^---\napiVersion/);
  });
});

// hack/openapi/definitions.json, the source of the generated CRDs, against the Kubernetes OpenAPI
// documents it was copied from: k8s.io/kubernetes in the Go module cache, which
// test/artifacts/run.ts downloads (`go mod download`). The CRDs themselves are checked against
// definitions.json in test/unit/crds.test.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { collectDefinitions, definitionsPath, loadDefinitions, renderDefinitions } from '../../hack/gen-crds.ts';

describe('Kubernetes OpenAPI definitions (hack/openapi)', () => {
  it('keeps hack/openapi/definitions.json equal to the module cache copy (npm run gen:crds -- --refresh-openapi)', () => {
    const { kubernetesVersion } = loadDefinitions();
    assert.equal(readFileSync(definitionsPath, 'utf8'), renderDefinitions(collectDefinitions(kubernetesVersion)));
  });
});

import assert from 'node:assert/strict';
import { canonicalJson, marshalLikeGo } from '../../src/controllers/history/go-json.ts';

describe("marshalLikeGo (Go's encoding/json.Marshal of decoded JSON)", () => {
  it('sorts object keys at every level, integer-like keys as strings', () => {
    const value = { spec: { template: { metadata: { annotations: { z: '1', '10': '2', '9': '3', a: '4' } }, $patch: 'replace' } } };
    assert.equal(marshalLikeGo(value), '{"spec":{"template":{"$patch":"replace","metadata":{"annotations":{"10":"2","9":"3","a":"4","z":"1"}}}}}');
  });

  it('orders keys by UTF-8 bytes, not UTF-16 code units', () => {
    // U+E000 is 0xEE… in UTF-8, an emoji 0xF0…: Go puts U+E000 first; a UTF-16 sort would not.
    assert.equal(marshalLikeGo({ '\u{1F600}': 1, '\uE000': 2, é: 3 }), '{"é":3,"\uE000":2,"\u{1F600}":1}');
  });

  it('escapes <, >, &, U+2028 and U+2029 as Go does for HTML safety, and control characters like Go', () => {
    assert.equal(marshalLikeGo('sh -c "a && b > /x <y"'), String.raw`"sh -c \"a \u0026\u0026 b \u003e /x \u003cy\""`);
    assert.equal(marshalLikeGo('\u2028\u2029'), String.raw`"\u2028\u2029"`);
    assert.equal(marshalLikeGo('\b\f\n\r\t\u0001\\'), String.raw`"\b\f\n\r\t\u0001\\"`);
  });

  it('replaces a lone surrogate with U+FFFD, as Go decodes it', () => {
    assert.equal(marshalLikeGo('x\uD800y'), '"x\uFFFDy"');
  });

  it('writes arrays, numbers, booleans and null compactly, leaving out undefined members', () => {
    assert.equal(marshalLikeGo({ b: [1, 1.5, -2, 0, true, false, null], a: undefined, c: {} , d: [] }), '{"b":[1,1.5,-2,0,true,false,null],"c":{},"d":[]}');
  });

  it('reads back as the same value', () => {
    const value = { kind: 'ControllerRevision', data: { spec: { template: { $patch: 'replace', spec: { containers: [{ name: 'a', args: ['x && y'] }] } } } } };
    assert.deepEqual(JSON.parse(marshalLikeGo(value)), value);
  });
});

describe('canonicalJson (the frozen encoding revision hashes are computed over)', () => {
  it('puts array-index keys first in numeric order, then the others by UTF-16 units', () => {
    const value = { z: 1, '10': 2, '9': 3, a: 4, '01': 5, '4294967295': 6, '4294967294': 7, '\u{1F600}': 8, '\uE000': 9 };
    assert.equal(canonicalJson(value), '{"9":3,"10":2,"4294967294":7,"01":5,"4294967295":6,"a":4,"z":1,"\u{1F600}":8,"\uE000":9}');
  });

  it('escapes only what JSON requires: <, >, &, U+2028 stay raw, lone surrogates become \\udXXX', () => {
    assert.equal(canonicalJson({ s: 'a && b > /x <y \u2028 café ✓' }), '{"s":"a && b > /x <y \u2028 café ✓"}');
    assert.equal(canonicalJson('x\uD800y'), String.raw`"x\ud800y"`);
  });

  it('leaves out undefined members and an own __proto__ member, keeps empty objects and arrays', () => {
    const value: unknown = JSON.parse('{"b":{},"__proto__":{"x":1},"a":[]}');
    assert.equal(canonicalJson(value), '{"a":[],"b":{}}');
    assert.equal(canonicalJson({ a: undefined, b: [undefined, 1] }), '{"b":[null,1]}');
  });

  it('agrees with marshalLikeGo on ASCII data without array-index keys', () => {
    const value = { spec: { template: { $patch: 'replace', metadata: { labels: { b: 'x', a: 'y' } } } } };
    assert.equal(canonicalJson(value), marshalLikeGo(value));
  });
});

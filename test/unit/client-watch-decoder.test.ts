import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/meta.ts';
import { statusFromObject } from '../../src/runtime/client/errors.ts';
import type { WatchEvent } from '../../src/runtime/client/watch-decoder.ts';
import { WatchDecoder, decodeWatchStream, parseWatchEvent } from '../../src/runtime/client/watch-decoder.ts';

const encoder = new TextEncoder();

function line(type: string, object: unknown): string {
  return `${JSON.stringify({ type, object })}\n`;
}

const pod = (name: string, rv: string): KubeObject => ({ metadata: { name, resourceVersion: rv } });

function summary(events: readonly WatchEvent<KubeObject>[]): string[] {
  return events.map((e) => `${e.type}:${e.object.metadata.name ?? ''}@${e.object.metadata.resourceVersion ?? ''}`);
}

/** Feeds `chunks` to one decoder and returns every event, in order. */
function decodeChunks(chunks: readonly Uint8Array[]): WatchEvent<KubeObject>[] {
  const decoder = new WatchDecoder<KubeObject>();
  return chunks.flatMap((c) => decoder.push(c));
}

async function* from(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) {
    await Promise.resolve();
    yield chunk;
  }
}

describe('watch decoder', () => {
  const stream = line('ADDED', pod('a', '1')) + line('MODIFIED', pod('a', '2')) + line('DELETED', pod('a', '3'));

  it('decodes one event per line', () => {
    assert.deepEqual(summary(decodeChunks([encoder.encode(stream)])), ['ADDED:a@1', 'MODIFIED:a@2', 'DELETED:a@3']);
  });

  it('gives the same events however the bytes are split', () => {
    const bytes = encoder.encode(stream);
    for (const size of [1, 2, 7, 50]) {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      assert.deepEqual(summary(decodeChunks(chunks)), ['ADDED:a@1', 'MODIFIED:a@2', 'DELETED:a@3'], `chunks of ${size}`);
    }
  });

  it('holds a partial line until its newline arrives', () => {
    const decoder = new WatchDecoder<KubeObject>();
    const text = line('ADDED', pod('a', '1'));
    assert.deepEqual(decoder.push(encoder.encode(text.slice(0, 20))), []);
    assert.deepEqual(decoder.push(encoder.encode(text.slice(20, -1))), []);
    assert.deepEqual(summary(decoder.push(encoder.encode('\n'))), ['ADDED:a@1']);
  });

  it('decodes a multi-byte character split across chunks', () => {
    const bytes = encoder.encode(line('ADDED', pod('ü-名', '1')));
    const split = bytes.indexOf(0xc3) + 1;
    assert.deepEqual(summary(decodeChunks([bytes.subarray(0, split), bytes.subarray(split)])), ['ADDED:ü-名@1']);
  });

  it('yields an ERROR event with the Status it carries', () => {
    const status = { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'too old resource version: 5 (9)', reason: 'Expired', code: 410 };
    const [event] = decodeChunks([encoder.encode(line('ERROR', status))]);
    assert.equal(event?.type, 'ERROR');
    assert.deepEqual(statusFromObject(event?.object), { code: 410, reason: 'Expired', message: 'too old resource version: 5 (9)' });
  });

  it('yields a BOOKMARK with only a resourceVersion', () => {
    const events = decodeChunks([encoder.encode(line('BOOKMARK', { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: '42' } }))]);
    assert.deepEqual(
      events.map((e) => [e.type, e.object.metadata.resourceVersion]),
      [['BOOKMARK', '42']],
    );
  });

  it('skips blank lines, carriage returns, junk and unknown types without ending the stream', () => {
    const text = `\n\r\nnot json\n${line('SYNC', pod('x', '0'))}{"type":"ADDED"}\n${line('ADDED', pod('b', '4')).replace('\n', '\r\n')}`;
    assert.deepEqual(summary(decodeChunks([encoder.encode(text)])), ['ADDED:b@4']);
  });

  it('parses single lines', () => {
    assert.equal(parseWatchEvent('{"type":"ADDED","object":null}'), undefined);
    assert.equal(parseWatchEvent('[]'), undefined);
    assert.deepEqual(parseWatchEvent<KubeObject>(line('ADDED', pod('a', '1')).trim()), { type: 'ADDED', object: pod('a', '1') });
  });

  it('decodes a stream of chunks, calling back for every chunk, and drops a truncated last line', async () => {
    const text = line('ADDED', pod('a', '1')) + line('MODIFIED', pod('a', '2')).slice(0, 15);
    const bytes = encoder.encode(text);
    let chunks = 0;
    const events: WatchEvent<KubeObject>[] = [];
    for await (const event of decodeWatchStream<KubeObject>(from([bytes.subarray(0, 10), bytes.subarray(10)]), () => chunks++)) {
      events.push(event);
    }
    assert.deepEqual(summary(events), ['ADDED:a@1']);
    assert.equal(chunks, 2);
  });
});

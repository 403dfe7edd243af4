// Decodes a watch response body: one JSON watch event per line (the API server's
// application/json watch framing, client-go rest/watch/decoder.go and
// apimachinery pkg/util/framer's newline-delimited JSON). Chunks from the network split lines
// and multi-byte characters anywhere, so bytes are buffered until a newline completes a line.
//
// Lenient on purpose, as today: a line that is no JSON, not a watch event, or of an unknown type is
// skipped rather than ending the watch, and bytes after the last newline when the stream ends (a
// truncated event) are dropped; the reflector's resume from the last resourceVersion covers both.
import { isRecord } from '../../api/meta.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T> {
  readonly type: WatchEventType;
  /** For ERROR this is a Status, not a T (read it with errors.ts statusFromObject). */
  readonly object: T;
}

const eventTypes: ReadonlySet<string> = new Set<WatchEventType>(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

function isWatchEventType(type: string): type is WatchEventType {
  return eventTypes.has(type);
}

/** One line of the stream as a watch event, or undefined when it is not one. */
export function parseWatchEvent<T>(line: string): WatchEvent<T> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || typeof parsed.type !== 'string' || !isRecord(parsed.object)) return undefined;
  if (!isWatchEventType(parsed.type)) return undefined;
  // The API server is the trust boundary for the object's shape; consumers narrow where it matters.
  return { type: parsed.type, object: parsed.object as T };
}

/** Turns chunks of a watch body into events; keeps the incomplete last line for the next chunk. */
export class WatchDecoder<T> {
  private readonly text = new TextDecoder();
  private buffered = '';

  /** The events completed by `chunk`, in order. */
  push(chunk: Uint8Array): WatchEvent<T>[] {
    this.buffered += this.text.decode(chunk, { stream: true });
    const events: WatchEvent<T>[] = [];
    let newline = this.buffered.indexOf('\n');
    while (newline >= 0) {
      const line = this.buffered.slice(0, newline).trim();
      this.buffered = this.buffered.slice(newline + 1);
      newline = this.buffered.indexOf('\n');
      if (line.length === 0) continue;
      const event = parseWatchEvent<T>(line);
      if (event) events.push(event);
    }
    return events;
  }
}

/**
 * Yields the events of a watch body as chunks arrive. `onChunk` runs for every chunk before it is
 * decoded (the client re-arms its idle timer there: any byte, even half an event, proves the
 * connection alive).
 */
export async function* decodeWatchStream<T>(body: AsyncIterable<Uint8Array>, onChunk?: () => void): AsyncGenerator<WatchEvent<T>> {
  const decoder = new WatchDecoder<T>();
  for await (const chunk of body) {
    onChunk?.();
    yield* decoder.push(chunk);
  }
}

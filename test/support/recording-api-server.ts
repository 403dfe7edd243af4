// A local HTTP endpoint standing in for the API server in object-manager tests: it records every
// request and answers with what the test says, so a test checks what a write puts on the wire.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeClient } from '../../src/runtime/client/rest.ts';

export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly contentType: string;
  readonly body: string;
}

export interface Answer {
  readonly status: number;
  /** Sent as JSON. */
  readonly body: unknown;
}

export interface RecordingApiServer {
  /** A client of this endpoint. */
  readonly client: KubeClient;
  /** Every request so far, in arrival order; tests empty it between cases. */
  readonly received: ReceivedRequest[];
  close(): Promise<void>;
}

export async function startRecordingApiServer(answer: (request: ReceivedRequest) => Answer): Promise<RecordingApiServer> {
  const received: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', contentType: req.headers['content-type'] ?? '', body };
      received.push(request);
      const reply = answer(request);
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    client: new KubeClient({ server: `http://127.0.0.1:${port}`, headers: () => Promise.resolve({}), dispatcher: undefined }),
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

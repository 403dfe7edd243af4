// One probe on one line: `http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3`.
// upstream: kubectl pkg/describe/describe.go DescribeProbe.
import { goSlice } from './go-format.ts';
import { joinHostPort, urlString } from './go-url.ts';
import { integer, intOrString, object, text, texts, type Json } from './json-fields.ts';

export function describeProbe(probe: Json): string {
  const attrs =
    `delay=${integer(probe, 'initialDelaySeconds')}s timeout=${integer(probe, 'timeoutSeconds')}s ` +
    `period=${integer(probe, 'periodSeconds')}s #success=${integer(probe, 'successThreshold')} #failure=${integer(probe, 'failureThreshold')}`;
  const exec = object(probe, 'exec');
  if (exec) return `exec ${goSlice(texts(exec, 'command'))} ${attrs}`;
  const httpGet = object(probe, 'httpGet');
  if (httpGet) {
    const port = intOrString(httpGet, 'port');
    const host = text(httpGet, 'host');
    const url = urlString(text(httpGet, 'scheme').toLowerCase(), port.length > 0 ? joinHostPort(host, port) : host, text(httpGet, 'path'));
    return `http-get ${url} ${attrs}`;
  }
  const tcpSocket = object(probe, 'tcpSocket');
  if (tcpSocket) return `tcp-socket ${text(tcpSocket, 'host')}:${intOrString(tcpSocket, 'port')} ${attrs}`;
  const grpc = object(probe, 'grpc');
  // kubectl dereferences `service` unchecked; the API server always defaults it to "".
  if (grpc) return `grpc <pod>:${integer(grpc, 'port')} ${text(grpc, 'service')} ${attrs}`;
  return `unknown ${attrs}`;
}

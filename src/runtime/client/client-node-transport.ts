// A transport whose TLS and credentials come from @kubernetes/client-node's KubeConfig: what the
// CLI and the tests use, and the operator when its kubeconfig needs an exec plugin, an auth
// provider or a proxy (kubeconfig.ts reads the simple shapes without loading client-node).
// Imported on demand: importing client-node loads its whole generated API.
import { HttpMethod, RequestContext } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Transport } from './transport.ts';
import { headerCacheMs } from './transport.ts';

/**
 * Builds a transport from a KubeConfig. The dispatcher is created once and reused (one pooled
 * HTTP/2 or keep-alive connection); auth headers are re-read every 10 s so rotating tokens
 * (projected service-account tokens, exec plugins) are picked up.
 */
export async function transportFromKubeConfig(kc: KubeConfig): Promise<Transport> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const first = new RequestContext(cluster.server, HttpMethod.GET);
  await kc.applySecurityAuthentication(first);
  const dispatcher = first.getDispatcher();
  let cached: { at: number; headers: Record<string, string> } | undefined;
  return {
    server: cluster.server.replace(/\/+$/, ''),
    dispatcher,
    async headers() {
      const now = Date.now();
      if (cached && now - cached.at < headerCacheMs) return cached.headers;
      const ctx = new RequestContext(cluster.server, HttpMethod.GET);
      // applySecurityAuthentication also builds a throw-away dispatcher; only its headers are kept.
      await kc.applySecurityAuthentication(ctx);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(ctx.getHeaders())) headers[k] = String(v);
      cached = { at: now, headers };
      return headers;
    },
  };
}


// Waiting for a child process's HTTP endpoint to answer 200, while noticing that the process died:
// the operator's /readyz in the tests and the benchmark, Prometheus's /-/ready in the tests.
import { PollTimeout, pollUntil } from './poll.ts';

export type ServingOutcome = 'ready' | 'exited' | 'timeout';

export interface ServingOptions {
  /** The process to watch; exitCode (or signalCode) non-null means it has ended. */
  readonly process: { readonly exitCode: number | null; readonly signalCode?: NodeJS.Signals | null };
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** Bound on one request, so a hung listener does not outlast the deadline. Default 2 s. */
  readonly requestTimeoutMs?: number;
}

/** Polls `url` until it answers 200 ('ready'), the process ends ('exited') or time runs out ('timeout'). */
export async function waitUntilServing(url: string, options: ServingOptions): Promise<ServingOutcome> {
  const ended = (): boolean => options.process.exitCode !== null || (options.process.signalCode ?? null) !== null;
  const probe = async (): Promise<ServingOutcome | 'not yet'> => {
    if (ended()) return 'exited';
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(options.requestTimeoutMs ?? 2000) });
      await res.text();
      return res.status === 200 ? 'ready' : 'not yet';
    } catch {
      return ended() ? 'exited' : 'not yet'; // not listening yet
    }
  };
  try {
    return await pollUntil(`${url} to answer 200`, probe, (o): o is ServingOutcome => o !== 'not yet', {
      timeoutMs: options.timeoutMs,
      intervalMs: options.intervalMs ?? 100,
    });
  } catch (err) {
    if (err instanceof PollTimeout) return 'timeout';
    throw err;
  }
}

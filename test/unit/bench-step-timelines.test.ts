import assert from 'node:assert/strict';
import type { PodChange } from '../../bench/pod-watch.ts';
import type { CountPoint } from '../../bench/status-lag.ts';
import type { StatusSource } from '../../bench/step-timelines.ts';
import { startRecording } from '../../bench/step-timelines.ts';

/** The two PodWatch methods a recording uses, driven by hand. */
class FakePodWatch {
  ready = 0;
  private readonly listeners = new Set<(c: PodChange) => void>();
  subscribe(listener: (c: PodChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  readyCount(): number {
    return this.ready;
  }
  emit(change: Omit<PodChange, 'ready'>, ready: number): void {
    this.ready = ready;
    for (const l of this.listeners) l({ ...change, ready });
  }
  get subscribers(): number {
    return this.listeners.size;
  }
}

function fakeStatus(points: CountPoint[]): StatusSource & { readonly calls: string[] } {
  const calls: string[] = [];
  return {
    plural: 'mystatefulsets',
    calls,
    open: () => ({
      points,
      start: () => {
        calls.push('start');
        return Promise.resolve();
      },
      close: () => {
        calls.push('close');
        return Promise.resolve();
      },
    }),
  };
}

describe('startRecording (bench/step-timelines.ts)', () => {
  it('times the status lag from the pod changes and the status watch, and closes both', async () => {
    const watch = new FakePodWatch();
    const status = fakeStatus([]);
    const now = Date.now();
    const recording = await startRecording(watch, { status });
    assert.deepEqual(status.calls, ['start']);
    watch.emit({ at: now + 1000, name: 'p-0', added: false, becameReady: true }, 1);
    status.open().points.push({ at: now + 1200, count: 1 });
    const out = await recording.finish({ start: now, end: now + 5000 });
    assert.deepEqual(status.calls, ['start', 'close']);
    assert.equal(watch.subscribers, 0);
    assert.equal(out.statusLag?.max, 200);
    assert.equal(out.orderedReaction, undefined);
  });

  it('times the OrderedReady reaction when given the set, and no status lag without a status source', async () => {
    const watch = new FakePodWatch();
    const now = Date.now();
    const recording = await startRecording(watch, { orderedSet: { name: 'o', replicas: 2 } });
    watch.emit({ at: now + 10, name: 'o-0', added: true, becameReady: false }, 0);
    watch.emit({ at: now + 20, name: 'o-0', added: false, becameReady: true }, 1);
    watch.emit({ at: now + 45, name: 'o-1', added: true, becameReady: false }, 1);
    const out = await recording.finish({ start: now, end: now + 100 });
    assert.equal(out.orderedReaction?.p50, 25);
    assert.equal(out.statusLag, undefined);
  });
});

import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../src/runtime/logging.ts';

/** The JSON lines written so far, once the stream has delivered them. */
function capture(): { readonly stream: PassThrough; readonly lines: () => Promise<readonly Record<string, unknown>[]> } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const lines = async (): Promise<readonly Record<string, unknown>[]> => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  };
  return { stream, lines };
}

describe('createLogger', () => {
  it('drops debug records at the info level, from the root and from child loggers', async () => {
    const { stream, lines } = capture();
    const log = createLogger({ stream, pretty: false });
    const child = log.child({ controller: 'daemonset' });
    log.debug('root debug');
    child.debug('child debug', { key: 'ns/a' });
    child.info('child info', { key: 'ns/a' });
    assert.deepEqual(
      (await lines()).map((line) => [line['level'], line['msg'], line['controller'], line['key']]),
      [['info', 'child info', 'daemonset', 'ns/a']],
    );
  });

  it('writes them once the level is raised to debug, child fields included', async () => {
    const { stream, lines } = capture();
    const log = createLogger({ stream, pretty: false, level: 'info' });
    const child = log.child({ controller: 'statefulset' });
    log.level = 'debug';
    child.debug('planned', { actions: 2 });
    assert.deepEqual(
      (await lines()).map((line) => [line['level'], line['msg'], line['controller'], line['actions']]),
      [['debug', 'planned', 'statefulset', 2]],
    );
  });
});

// The bench runs the operator under the memory limit its Deployment ships with (bench/memory-limit.ts).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inCgroup, parseBinaryQuantity, shippedMemoryLimitBytes } from '../../bench/memory-limit.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('bench: the operator memory limit', () => {
  it('reads the limit deploy/manifests/operator.yaml gives the operator container', () => {
    assert.equal(shippedMemoryLimitBytes(repoRoot), 512 * 2 ** 20);
  });

  it('parses the quantities a memory limit is written with', () => {
    assert.equal(parseBinaryQuantity('512Mi'), 536870912);
    assert.equal(parseBinaryQuantity('1Gi'), 2 ** 30);
    assert.equal(parseBinaryQuantity('1.5Gi'), 1.5 * 2 ** 30);
    assert.equal(parseBinaryQuantity('500M'), 500e6);
    assert.equal(parseBinaryQuantity('1048576'), 1048576);
    assert.equal(parseBinaryQuantity('lots'), undefined);
  });

  it('moves the shell into the cgroup and execs the command with its arguments intact', () => {
    // A scratch file stands in for cgroup.procs: what the shell writes there is its own pid,
    // which the exec'd command keeps.
    const procs = path.join(mkdtempSync(path.join(tmpdir(), 'bench-memory-limit-')), 'cgroup.procs');
    const { command, args } = inCgroup(procs, process.execPath, ['-e', 'process.stdout.write(`${process.pid} ${process.argv.slice(1).join("|")}`)', 'a b', 'c']);
    const out = execFileSync(command, [...args], { encoding: 'utf8' });
    const pid = out.slice(0, out.indexOf(' '));
    assert.equal(readFileSync(procs, 'utf8').trim(), pid);
    assert.equal(out.slice(pid.length + 1), 'a b|c');
    rmSync(path.dirname(procs), { recursive: true });
  });
});

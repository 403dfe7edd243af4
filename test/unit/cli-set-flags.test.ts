// How `kubectl my set` reads its words: pflag's flag syntax, the change cause --record writes
// (kubectl's parseCommandArguments with `kubectl my` as the program), and --dry-run's values.
import assert from 'node:assert/strict';
import { changeCause } from '../../src/cli/set/change-cause.ts';
import { dryRunStrategy } from '../../src/cli/set/dry-run.ts';
import { flagValues, scanFlags, type FlagSpec } from '../../src/cli/set/flags.ts';
import { setEnv } from '../../src/cli/set/set-env.ts';
import { setImage } from '../../src/cli/set/set-image.ts';
import { setResources } from '../../src/cli/set/set-resources.ts';
import { globalFlags } from '../../src/cli/set/verb.ts';

const imageFlags: readonly FlagSpec[] = [...setImage.flags, ...globalFlags];

describe('kubectl my set: reading flags as kubectl does', () => {
  it('takes a bool alone as true, with =VALUE as that value, and never the next word', () => {
    const scanned = scanFlags(['--record', 'mds/a', '--all=false', 'c=i'], imageFlags);
    assert.deepEqual(scanned.args, ['mds/a', 'c=i']);
    const values = flagValues(scanned);
    assert.equal(values.bool('record'), true);
    assert.equal(values.bool('all'), false);
  });

  it('reads a shorthand value attached, after =, or as the next word, and a name with _ as with -', () => {
    const flags = [...setResources.flags, ...globalFlags];
    for (const words of [['-cweb'], ['-c=web'], ['-c', 'web'], ['--containers', 'web'], ['--containers=web']]) {
      assert.equal(flagValues(scanFlags(words, flags)).string('containers'), 'web', words.join(' '));
    }
    assert.equal(flagValues(scanFlags(['--dry_run=server'], flags)).string('dry-run'), 'server');
  });

  it('keeps every -e and splits --keys on commas', () => {
    const values = flagValues(scanFlags(['-e', 'A=1', '--env=B=2', '--keys=a,b', '--keys', 'c'], setEnv.flags));
    assert.deepEqual(values.list('env'), ['A=1', 'B=2']);
    assert.deepEqual(values.list('keys'), ['a', 'b', 'c']);
  });

  it('stops reading flags at --', () => {
    assert.deepEqual(scanFlags(['mds/a', '--', '--record', 'X-'], setEnv.flags).args, ['mds/a', '--record', 'X-']);
  });

  it('refuses unknown flags, missing values and bad bools with pflag’s messages', () => {
    assert.throws(() => scanFlags(['--local'], imageFlags), { message: 'unknown flag: --local' });
    assert.throws(() => scanFlags(['-f', 'x.yaml'], imageFlags), { message: "unknown shorthand flag: 'f' in -f" });
    assert.throws(() => scanFlags(['--selector'], imageFlags), { message: 'flag needs an argument: --selector' });
    assert.throws(() => scanFlags(['-l'], imageFlags), { message: "flag needs an argument: 'l' in -l" });
    assert.throws(() => flagValues(scanFlags(['--all=yes'], imageFlags)), {
      message: 'invalid argument "yes" for "--all" flag: strconv.ParseBool: parsing "yes": invalid syntax',
    });
  });
});

describe('kubectl my set: the change cause --record writes', () => {
  it('is `kubectl my`, the words in order, then each flag by its long name in the order typed', () => {
    assert.equal(
      changeCause(['set', 'image', 'mds/fluentd', 'c=img:2', '--record', '-n', 'kube-system'], imageFlags),
      'kubectl my set image mds/fluentd c=img:2 --record=true --namespace=kube-system',
    );
  });

  it('lists flags after every word, even flags typed first', () => {
    assert.equal(
      changeCause(['set', '--record=true', 'image', '-nns', 'mdeploy/web', '--kubeconfig', '/k', 'web=nginx:1.9.1'], imageFlags),
      'kubectl my set image mdeploy/web web=nginx:1.9.1 --record=true --namespace=ns --kubeconfig=/k',
    );
  });

  it('writes shorthands by long name, --dry-run alone as unchanged, and repeated flags each time', () => {
    const flags = [...setEnv.flags, ...globalFlags];
    assert.equal(
      changeCause(['set', 'env', 'msts/web', '-e', 'A=1', '-e', 'B=2', '-c=app', '--dry-run', '--record'], flags),
      'kubectl my set env msts/web --env=A=1 --env=B=2 --containers=app --dry-run=unchanged --record=true',
    );
  });

  it('is empty when the words do not parse, as kubectl records then', () => {
    assert.equal(changeCause(['set', 'image', 'mds/a', 'c=i', '--record', '--bogus'], imageFlags), '');
  });
});

describe('kubectl my set: --dry-run', () => {
  it('maps kubectl’s values and warns for the deprecated ones', () => {
    assert.deepEqual(dryRunStrategy('none'), { strategy: 'none' });
    assert.deepEqual(dryRunStrategy('server'), { strategy: 'server' });
    assert.deepEqual(dryRunStrategy('unchanged'), { strategy: 'client', warning: '--dry-run is deprecated and can be replaced with --dry-run=client.' });
    assert.deepEqual(dryRunStrategy('true'), {
      strategy: 'client',
      warning: '--dry-run=true is deprecated (boolean value) and can be replaced with --dry-run=client.',
    });
    assert.equal(dryRunStrategy('false').strategy, 'none');
    assert.throws(() => dryRunStrategy('all'), { message: 'Invalid dry-run value (all). Must be "none", "server", or "client".' });
  });
});

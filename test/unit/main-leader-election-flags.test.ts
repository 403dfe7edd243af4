// The operator's leader-election identity: stable across restarts so that a replica restarted in
// place takes its own Lease back at once (issue: restart without waiting on yourself).
import assert from 'node:assert/strict';
import { defaultLeaderElectionIdentity } from '../../src/main.ts';
import { parseOperatorFlags } from './operator-flags-fixtures.ts';

const parse = parseOperatorFlags;

describe('leader-election identity', () => {
  it('is the pod name in a cluster and the host name outside one, never random', () => {
    assert.equal(defaultLeaderElectionIdentity({ POD_NAME: 'mwo-7d9f-abcde' }, () => 'ignored'), 'mwo-7d9f-abcde');
    assert.equal(defaultLeaderElectionIdentity({}, () => 'laptop'), 'laptop');
    assert.equal(defaultLeaderElectionIdentity({ POD_NAME: '  ' }, () => 'laptop'), 'laptop');
  });

  it('is the same on every start of the same process, so a restart reclaims the Lease', () => {
    assert.equal(parse([]).leaderElectionIdentity, parse([]).leaderElectionIdentity);
    assert.equal(parse([], { POD_NAME: 'op-0' }).leaderElectionIdentity, 'op-0');
  });

  it('takes --leader-election-identity, also from the environment, over the default', () => {
    assert.equal(parse(['--leader-election-identity', 'replica-a'], { POD_NAME: 'op-0' }).leaderElectionIdentity, 'replica-a');
    assert.equal(parse([], { MWO_LEADER_ELECTION_IDENTITY: 'replica-b' }).leaderElectionIdentity, 'replica-b');
  });
});

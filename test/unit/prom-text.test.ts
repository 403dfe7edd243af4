import assert from 'node:assert/strict';
import type { Sample } from '../../hack/prom-text.ts';
import { parsePromText, sum } from '../../hack/prom-text.ts';

const exposition = String.raw`# HELP rest_client_requests_total Number of HTTP requests, partitioned by status code, method, and host.
# TYPE rest_client_requests_total counter
rest_client_requests_total{code="200",method="GET",host="10.0.0.1:6443"} 12
rest_client_requests_total{code="403",method="POST",host="a\"b,c}d\\e\nf"} 2
rest_client_requests_total{code="201",method="POST",host="h",} 3 1700000000000
# TYPE leader_election_master_status gauge
leader_election_master_status {name="op"}   1
process_start_time_seconds 1.7e9
nodejs_eventloop_lag_mean_seconds NaN
workqueue_work_duration_seconds_bucket{le="+Inf",name="q"} +Inf
workqueue_work_duration_seconds_bucket{le="0.1",name="q"} -Inf
`;

describe('parsePromText (hack/prom-text.ts)', () => {
  const samples = parsePromText(exposition);

  it('reads names, labels and values, skipping # HELP and # TYPE lines', () => {
    assert.deepEqual(samples.slice(0, 1), [
      { name: 'rest_client_requests_total', labels: { code: '200', method: 'GET', host: '10.0.0.1:6443' }, value: 12 },
    ]);
    assert.deepEqual(
      samples.map((s) => s.name),
      [
        'rest_client_requests_total',
        'rest_client_requests_total',
        'rest_client_requests_total',
        'leader_election_master_status',
        'process_start_time_seconds',
        'nodejs_eventloop_lag_mean_seconds',
        'workqueue_work_duration_seconds_bucket',
        'workqueue_work_duration_seconds_bucket',
      ],
    );
  });

  it('unescapes \\", \\\\ and \\n in label values and keeps commas and braces inside them', () => {
    assert.equal(samples[1]?.labels.host, 'a"b,c}d\\e\nf');
    assert.equal(samples[1]?.labels.code, '403');
  });

  it('takes the value, not a trailing timestamp, and allows a trailing comma and spaces', () => {
    assert.deepEqual(samples[2], { name: 'rest_client_requests_total', labels: { code: '201', method: 'POST', host: 'h' }, value: 3 });
    assert.deepEqual(samples[3], { name: 'leader_election_master_status', labels: { name: 'op' }, value: 1 });
  });

  it('reads exponents, NaN and ±Inf', () => {
    assert.equal(samples[4]?.value, 1.7e9);
    assert.ok(Number.isNaN(samples[5]?.value));
    assert.equal(samples[6]?.value, Infinity);
    assert.equal(samples[6]?.labels.le, '+Inf');
    assert.equal(samples[7]?.value, -Infinity);
  });

  it('keeps only the given names when asked', () => {
    assert.deepEqual(
      parsePromText(exposition, new Set(['leader_election_master_status'])).map((s) => s.value),
      [1],
    );
  });

  it('skips lines that are not samples', () => {
    const text = 'up\nup{job="a" 1\nup{job=a} 1\nup 1 2 3\nup abc\nup-time 1\n  \r\nup{job="ok"} 1\r\n';
    assert.deepEqual(parsePromText(text), [{ name: 'up', labels: { job: 'ok' }, value: 1 }]);
  });

  it('keeps a __proto__ label as a plain label', () => {
    const [sample] = parsePromText('m{__proto__="x"} 1');
    assert.equal(Object.getPrototypeOf(sample?.labels), Object.prototype);
    assert.deepEqual(Object.entries(sample?.labels ?? {}), [['__proto__', 'x']]);
  });
});

describe('sum (hack/prom-text.ts)', () => {
  const samples: readonly Sample[] = parsePromText(exposition);

  it('adds the values of a name whose labels include the given ones', () => {
    assert.equal(sum(samples, 'rest_client_requests_total'), 17);
    assert.equal(sum(samples, 'rest_client_requests_total', { method: 'POST' }), 5);
    assert.equal(sum(samples, 'rest_client_requests_total', { method: 'POST', code: '403' }), 2);
  });

  it('takes a predicate on the labels too, and gives 0 when nothing matches', () => {
    assert.equal(sum(samples, 'rest_client_requests_total', (l) => l.code !== '200'), 5);
    assert.equal(sum(samples, 'rest_client_requests_total', { method: 'DELETE' }), 0);
    assert.equal(sum(samples, 'no_such_metric'), 0);
  });

  it('does not match a label by a suffix of its name', () => {
    const [only] = parsePromText('m{xmethod="POST"} 1');
    assert.equal(sum(only ? [only] : [], 'm', { method: 'POST' }), 0);
  });
});

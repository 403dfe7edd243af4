import assert from 'node:assert/strict';
import { formatMetaV1Time, formatMicroTime } from '../../src/runtime/time.ts';

describe('formatMetaV1Time', () => {
  it('writes whole seconds in UTC, dropping the fraction', () => {
    assert.equal(formatMetaV1Time(Date.UTC(2026, 10, 25, 17, 0, 0, 999)), '2026-11-25T17:00:00Z');
  });
  it('does not round up to the next second', () => {
    assert.equal(formatMetaV1Time(Date.UTC(2026, 11, 31, 23, 59, 59, 999)), '2026-12-31T23:59:59Z');
  });
});

describe('formatMicroTime', () => {
  it('writes six fractional digits in UTC', () => {
    assert.equal(formatMicroTime(Date.UTC(2026, 10, 25, 17, 0, 0, 123)), '2026-11-25T17:00:00.123000Z');
  });
  it('keeps fractions of a millisecond to the microsecond', () => {
    assert.equal(formatMicroTime(Date.UTC(2026, 10, 25, 17, 0, 0, 123) + 0.456), '2026-11-25T17:00:00.123456Z');
  });
  it('pads small fractions and whole seconds', () => {
    assert.equal(formatMicroTime(Date.UTC(2026, 0, 1) + 0.001), '2026-01-01T00:00:00.000001Z');
    assert.equal(formatMicroTime(Date.UTC(2026, 0, 1)), '2026-01-01T00:00:00.000000Z');
  });
  it('carries a fraction that rounds to a whole second into the seconds', () => {
    assert.equal(formatMicroTime(Date.UTC(2026, 0, 1) + 999.9999), '2026-01-01T00:00:01.000000Z');
  });
});

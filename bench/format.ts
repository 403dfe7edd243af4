// How the report's tables print numbers (bench/report.ts, bench/summary.ts): one place, so the
// summary table and the per-run tables round alike. Missing values print as "–". Pure.

export const dash = '–';

/** Text for SVG content and attribute values (svg.ts, line-svg.ts). */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export const qpsLabel = (qps: number): string => (qps === 0 ? 'unlimited' : `QPS ${qps}/30`);

export const mib = (bytes: number | undefined): string => (bytes === undefined ? dash : `${(bytes / 2 ** 20).toFixed(0)} MiB`);

export const secs = (s: number | undefined): string => (s === undefined ? dash : s >= 100 ? s.toFixed(0) : s >= 10 ? s.toFixed(1) : s.toFixed(2));

export const ratio = (a: number | undefined, b: number | undefined): string =>
  a === undefined || b === undefined || b === 0 ? dash : `${(a / b).toFixed(2)}×`;

/** Milliseconds, whole above 10. */
export const ms = (v: number | undefined): string => (v === undefined ? dash : v >= 10 ? v.toFixed(0) : v.toFixed(1));

/** "12.3 s (81/s)", "timeout", or "–". */
export function time(side: { wallSeconds: number | undefined; podsPerSecond: number | undefined; timedOut?: string } | undefined): string {
  if (!side) return dash;
  if (side.wallSeconds === undefined) return side.timedOut ? 'timeout' : dash;
  return `${secs(side.wallSeconds)} s (${side.podsPerSecond === undefined ? dash : side.podsPerSecond.toFixed(0)}/s)`;
}

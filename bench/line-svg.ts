// A line chart as plain SVG text, as bench/svg.ts draws bars: panels stacked vertically, sharing
// a categorical x axis (evenly spaced labels: node counts 100, 1000, 5000 would crowd a linear
// axis). A panel's y axis is linear from 0, or logarithmic for values that grow tenfold with the
// x axis (a 1-s point next to a 60-s one would sit on the floor of a linear axis). Points close
// together would hide each other's labels, so every value is printed in a table under the plot,
// one row per series, in the series' colour, which also serves as the legend. A missing value
// leaves a gap. Pure.
import { escapeXml as escape } from './format.ts';

export interface LineSeries {
  readonly name: string;
  readonly color: string;
  /** One per x label; undefined: not measured. */
  readonly values: readonly (number | undefined)[];
}

export interface LinePanel {
  readonly title: string;
  readonly unit: string;
  /** Default linear. */
  readonly scale?: 'linear' | 'log';
  readonly series: readonly LineSeries[];
}

export interface LineChartOptions {
  readonly title: string;
  readonly xTitle: string;
  readonly xLabels: readonly string[];
  readonly panels: readonly LinePanel[];
}

const width = 760;
const left = 70;
const right = 200; // the series names of the value table
const titleRoom = 34;
const plotHeight = 170;
const axisRoom = 40;
const rowHeight = 16;
const panelGap = 18;
const headerHeight = 36;

function format(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** The smallest of 1, 2, 2.5, 5 × 10^k at or above `max` (1 when there is nothing to show). */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= max) return step * magnitude;
  return 10 * magnitude;
}

interface Axis {
  /** y in pixels of a value; undefined for a value the axis cannot show (≤ 0 on a log axis). */
  readonly at: (v: number) => number | undefined;
  readonly ticks: readonly number[];
}

function linearAxis(values: readonly number[], top: number, bottom: number): Axis {
  const max = niceMax(Math.max(0, ...values));
  return { at: (v) => bottom - ((bottom - top) * v) / max, ticks: [0, 0.25, 0.5, 0.75, 1].map((t) => t * max) };
}

/** Decades around the positive values, ticks at 1, 2 and 5 of each. */
export function logAxis(values: readonly number[], top: number, bottom: number): Axis {
  const positive = values.filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(positive.length > 0 ? Math.min(...positive) : 1));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...positive, lo * 10)));
  const span = Math.log10(hi) - Math.log10(lo);
  const ticks: number[] = [];
  for (let decade = lo; decade < hi; decade *= 10) ticks.push(decade, 2 * decade, 5 * decade);
  ticks.push(hi);
  return {
    at: (v) => (v > 0 ? bottom - ((bottom - top) * (Math.log10(v) - Math.log10(lo))) / span : undefined),
    // Rounded: 0.1 × 3 is not 0.3 in floating point, and the tick label would say so.
    ticks: ticks.map((t) => Number(t.toPrecision(6))),
  };
}

/** x of the i-th of n categories: centred in equal slots. */
function xAt(i: number, n: number): number {
  const plot = width - left - right;
  return left + (plot * (i + 0.5)) / Math.max(1, n);
}

function panelHeight(p: LinePanel): number {
  return titleRoom + plotHeight + axisRoom + p.series.length * rowHeight + panelGap;
}

function panel(p: LinePanel, xLabels: readonly string[], xTitle: string, top: number): string[] {
  const parts: string[] = [];
  const plotTop = top + titleRoom;
  const plotBottom = plotTop + plotHeight;
  const all = p.series.flatMap((s) => s.values.filter((v): v is number => v !== undefined));
  const axis = p.scale === 'log' ? logAxis(all, plotTop, plotBottom) : linearAxis(all, plotTop, plotBottom);
  const n = xLabels.length;
  parts.push(`<text x="10" y="${top + 20}" class="panel">${escape(p.title)}</text>`);
  for (const tick of axis.ticks) {
    const y = axis.at(tick);
    if (y === undefined) continue;
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" class="grid"/>`);
    parts.push(`<text x="${left - 6}" y="${(y + 4).toFixed(1)}" class="tick" text-anchor="end">${String(Number(tick.toPrecision(3)))}</text>`);
  }
  const middle = ((plotTop + plotBottom) / 2).toFixed(1);
  const unit = p.scale === 'log' ? `${p.unit} (log scale)` : p.unit;
  parts.push(`<text x="14" y="${middle}" class="tick" transform="rotate(-90 14 ${middle})" text-anchor="middle">${escape(unit)}</text>`);
  xLabels.forEach((label, i) => {
    parts.push(`<text x="${xAt(i, n).toFixed(1)}" y="${plotBottom + 16}" class="tick" text-anchor="middle">${escape(label)}</text>`);
  });
  parts.push(`<text x="${((left + width - right) / 2).toFixed(1)}" y="${plotBottom + 32}" class="tick" text-anchor="middle">${escape(xTitle)}</text>`);
  p.series.forEach((s, k) => {
    const points = s.values.map((v, i) => {
      const y = v === undefined ? undefined : axis.at(v);
      return y === undefined ? undefined : { x: xAt(i, n), y };
    });
    // One polyline per run of measured points: a gap stays a gap.
    let run: { x: number; y: number }[] = [];
    const flush = (): void => {
      if (run.length > 1) parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${run.map((q) => `${q.x.toFixed(1)},${q.y.toFixed(1)}`).join(' ')}"/>`);
      run = [];
    };
    for (const q of points) {
      if (q) run.push(q);
      else flush();
    }
    flush();
    points.forEach((q, i) => {
      if (q) parts.push(`<circle cx="${q.x.toFixed(1)}" cy="${q.y.toFixed(1)}" r="3.5" fill="${s.color}"><title>${escape(`${s.name}, ${xLabels[i] ?? ''}: ${format(s.values[i] ?? 0)} ${p.unit}`)}</title></circle>`);
    });
    // The value table's row: every value under its x label, the series name on the right.
    const rowY = plotBottom + axisRoom + 12 + k * rowHeight;
    s.values.forEach((v, i) => {
      parts.push(`<text x="${xAt(i, n).toFixed(1)}" y="${rowY}" class="value" fill="${s.color}" text-anchor="middle">${v === undefined ? '–' : `${format(v)} ${escape(p.unit)}`}</text>`);
    });
    parts.push(`<rect x="${width - right + 12}" y="${rowY - 10}" width="12" height="12" fill="${s.color}"/>`);
    parts.push(`<text x="${width - right + 28}" y="${rowY}" class="legend">${escape(s.name)}</text>`);
  });
  return parts;
}

export function lineChart(options: LineChartOptions): string {
  const parts: string[] = [];
  let top = headerHeight;
  for (const p of options.panels) {
    parts.push(...panel(p, options.xLabels, options.xTitle, top));
    top += panelHeight(p);
  }
  const height = top;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    '<style>.title{font-size:16px;font-weight:bold}.panel{font-size:14px;font-weight:bold}.tick{font-size:11px;fill:#444}.value{font-size:11px;font-weight:bold}.legend{font-size:12px}.grid{stroke:#e2e2e2;stroke-width:1}</style>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="10" y="22" class="title">${escape(options.title)}</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

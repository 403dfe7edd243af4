// A horizontal grouped bar chart as plain SVG text: one panel per run, one group of bars per
// scenario (built-in, ours, raw limit). Each group has its own linear scale (its longest bar spans
// the plot), because scenarios differ by two orders of magnitude; the values are printed.
import { escapeXml as escape } from './format.ts';
export interface Bar {
  readonly series: string;
  readonly value: number | undefined;
}

export interface Group {
  readonly label: string;
  readonly bars: readonly Bar[];
}

export interface Panel {
  readonly title: string;
  readonly groups: readonly Group[];
}

export interface ChartOptions {
  readonly title: string;
  readonly unit: string;
  readonly colors: Readonly<Record<string, string>>;
}

const width = 960;
const labelWidth = 250;
const barHeight = 13;
const barGap = 2;
const groupGap = 10;
const panelTitleHeight = 26;
const panelGap = 18;
const valueRoom = 90;

function format(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

export function barChart(panels: readonly Panel[], options: ChartOptions): string {
  const series = Object.keys(options.colors);
  const parts: string[] = [];
  let y = 40;
  // legend
  let x = labelWidth;
  for (const s of series) {
    parts.push(`<rect x="${x}" y="${y - 11}" width="12" height="12" fill="${options.colors[s] ?? '#999'}"/>`);
    parts.push(`<text x="${x + 16}" y="${y}" class="legend">${escape(s)}</text>`);
    x += 16 + s.length * 7 + 24;
  }
  y += 16;
  const plotWidth = width - labelWidth - valueRoom;
  for (const panel of panels) {
    parts.push(`<text x="10" y="${y + 17}" class="panel">${escape(panel.title)}</text>`);
    y += panelTitleHeight;
    for (const group of panel.groups) {
      const max = Math.max(1e-9, ...group.bars.map((b) => b.value ?? 0));
      const groupHeight = group.bars.length * (barHeight + barGap);
      parts.push(`<text x="${labelWidth - 8}" y="${y + groupHeight / 2 + 4}" class="label" text-anchor="end">${escape(group.label)}</text>`);
      for (const bar of group.bars) {
        const color = options.colors[bar.series] ?? '#999';
        if (bar.value === undefined) {
          parts.push(`<text x="${labelWidth + 4}" y="${y + barHeight - 3}" class="value">${escape(bar.series)}: n/a</text>`);
        } else {
          const w = Math.max(1, (bar.value / max) * plotWidth);
          parts.push(`<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="${color}"><title>${escape(`${bar.series}: ${format(bar.value)} ${options.unit}`)}</title></rect>`);
          parts.push(`<text x="${(labelWidth + w + 4).toFixed(1)}" y="${y + barHeight - 3}" class="value">${format(bar.value)} ${escape(options.unit)}</text>`);
        }
        y += barHeight + barGap;
      }
      y += groupGap;
    }
    y += panelGap;
  }
  const height = y + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    '<style>.title{font-size:16px;font-weight:bold}.panel{font-size:14px;font-weight:bold}.label{font-size:12px}.value{font-size:11px;fill:#333}.legend{font-size:12px}</style>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="10" y="22" class="title">${escape(options.title)}</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

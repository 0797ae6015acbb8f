/**
 * A dependency-free SVG chart renderer for the simulation report: line charts (optionally as steps),
 * grouped bar charts and stacked bar charts, each with a title, axes with ticks, axis labels with units
 * and a legend. Output is a standalone SVG document (a string); every text is XML-escaped.
 *
 * Elements carry classes so that tests and style sheets can find them: `series` (one path per line
 * series), `bar` (one rect per bar), `legend`, `tick`, `title`, `axis-label`.
 */

export interface Axis {
  /** What the axis shows, e.g. "Price". */
  label: string;
  /** Appended as " [unit]", e.g. "TRC/kWh". */
  unit?: string;
  /** Fixed bounds; otherwise taken from the data and widened to round tick values. */
  min?: number;
  max?: number;
  /** Logarithmic scale (base 10; line charts' x axis only): every value must be positive. */
  log?: boolean;
  /** Tick values to use instead of computed ones (line charts' x axis only). */
  ticks?: number[];
}

export interface ChartFrame {
  title: string;
  x: Axis;
  y: Axis;
  width?: number;
  height?: number;
}

export interface LineSeries {
  name: string;
  /** Points in x order; a non-finite y leaves a gap. */
  points: { x: number; y: number }[];
  /** Draw as a step function: each value holds until the next x (for per-slot values). */
  step?: boolean;
  dashed?: boolean;
  color?: string;
}

export interface LineChartSpec extends ChartFrame {
  series: LineSeries[];
}

export interface BarSeries {
  name: string;
  /** One value per category. */
  values: number[];
  color?: string;
}

export interface BarChartSpec extends ChartFrame {
  categories: string[];
  series: BarSeries[];
}

/** Okabe–Ito colours: distinguishable with the common colour-vision deficiencies. */
export const PALETTE = [
  "#0072B2",
  "#D55E00",
  "#009E73",
  "#CC79A7",
  "#E69F00",
  "#56B4E9",
  "#F0E442",
  "#000000",
];

const FONT = 12;
const CHAR_WIDTH = 6.6; // rough width of a character at FONT px, for layout only

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** Round tick values covering [min, max]: steps of 1, 2 or 5 × 10^k, about `count` of them. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max))
    throw new RangeError(`ticks need finite bounds, got ${min}..${max}`);
  if (min > max) [min, max] = [max, min];
  const scale = Math.max(Math.abs(min), Math.abs(max));
  if (max - min <= Math.max(1e-9 * scale, 1e-200)) {
    // A constant (or numerically constant) range: widen it by 10 %, or by 1 around zero.
    const pad = scale > 1e-200 ? scale * 0.1 : 1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  // Ticks are whole multiples k·step (computed from k, not by accumulating, so 0 stays exactly 0).
  const tick = (k: number): number => Number((k * step).toPrecision(12));
  let k = Math.floor(min / step + 1e-9);
  const ticks: number[] = [];
  while ((tick(k) <= max + step * 1e-9 || ticks.length < 2) && ticks.length < 100) ticks.push(tick(k++));
  // The 1e-9 tolerances may leave an outer tick a hair inside the range; one more step covers it.
  if (ticks[0] > min) ticks.unshift(tick(Math.round(ticks[0] / step) - 1));
  if (ticks[ticks.length - 1] < max) ticks.push(tick(k));
  return ticks;
}

/** A tick label: k and M for large values, otherwise as many decimals as the tick step needs. */
export function formatTick(value: number, step: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6 && step >= 1e5) return `${trim(value / 1e6, step / 1e6)}M`;
  if (abs >= 1e4 && step >= 1e3) return `${trim(value / 1e3, step / 1e3)}k`;
  return trim(value, step);
}

function trim(value: number, step: number): string {
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  const s = value.toFixed(decimals);
  return s === `-${(0).toFixed(decimals)}` ? s.slice(1) : s;
}

function axisTitle(axis: Axis): string {
  return axis.unit ? `${axis.label} [${axis.unit}]` : axis.label;
}

function fmt(n: number): string {
  return Number(n.toFixed(2)).toString();
}

interface Layout {
  width: number;
  height: number;
  left: number;
  top: number;
  plotWidth: number;
  plotHeight: number;
}

function layout(frame: ChartFrame, legendNames: string[], bottomExtra = 0): Layout {
  const width = frame.width ?? 760;
  const height = frame.height ?? 400;
  const legendWidth =
    legendNames.length > 0
      ? Math.min(220, 28 + CHAR_WIDTH * Math.max(...legendNames.map((n) => n.length)))
      : 0;
  const left = 72;
  const top = 40;
  const right = 16 + legendWidth;
  const bottom = 48 + bottomExtra;
  return {
    width,
    height,
    left,
    top,
    plotWidth: Math.max(40, width - left - right),
    plotHeight: Math.max(40, height - top - bottom),
  };
}

function linear(domain: [number, number], range: [number, number]): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  return (v) => r0 + ((v - d0) / (d1 - d0 || 1)) * (r1 - r0);
}

function domainOf(
  values: number[],
  axis: Axis,
  includeZero: boolean,
): { ticks: number[]; lo: number; hi: number } {
  const finite = values.filter(Number.isFinite);
  let lo = axis.min ?? (finite.length ? Math.min(...finite) : 0);
  let hi = axis.max ?? (finite.length ? Math.max(...finite) : 1);
  if (includeZero) {
    lo = Math.min(lo, 0);
    hi = Math.max(hi, 0);
  }
  let ticks = niceTicks(lo, hi).filter(
    (t) => (axis.min === undefined || t >= axis.min) && (axis.max === undefined || t <= axis.max),
  );
  if (ticks.length === 0) ticks = [lo, hi];
  return {
    ticks,
    lo: axis.min ?? Math.min(lo, ticks[0]),
    hi: axis.max ?? Math.max(hi, ticks[ticks.length - 1]),
  };
}

function open(frame: ChartFrame, l: Layout): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${l.width}" height="${l.height}" viewBox="0 0 ${l.width} ${l.height}" font-family="Helvetica, Arial, sans-serif" font-size="${FONT}">`,
    `<title>${escapeXml(frame.title)}</title>`,
    `<rect class="background" x="0" y="0" width="${l.width}" height="${l.height}" fill="#ffffff"/>`,
    `<text class="title" x="${fmt(l.width / 2)}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(frame.title)}</text>`,
  ];
}

function yAxis(frame: ChartFrame, l: Layout, ticks: number[], y: (v: number) => number): string[] {
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
  const out = ticks.map((t) => {
    const py = fmt(y(t));
    return (
      `<g class="tick"><line x1="${l.left}" x2="${l.left + l.plotWidth}" y1="${py}" y2="${py}" stroke="#e5e5e5"/>` +
      `<text x="${l.left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">${escapeXml(formatTick(t, step))}</text></g>`
    );
  });
  const cx = 16;
  const cy = fmt(l.top + l.plotHeight / 2);
  out.push(
    `<text class="axis-label" x="${cx}" y="${cy}" text-anchor="middle" transform="rotate(-90 ${cx} ${cy})">${escapeXml(axisTitle(frame.y))}</text>`,
    `<line x1="${l.left}" x2="${l.left}" y1="${l.top}" y2="${l.top + l.plotHeight}" stroke="#333"/>`,
  );
  return out;
}

function xAxisLine(frame: ChartFrame, l: Layout): string[] {
  const base = l.top + l.plotHeight;
  return [
    `<line x1="${l.left}" x2="${l.left + l.plotWidth}" y1="${base}" y2="${base}" stroke="#333"/>`,
    `<text class="axis-label" x="${fmt(l.left + l.plotWidth / 2)}" y="${l.height - 10}" text-anchor="middle">${escapeXml(axisTitle(frame.x))}</text>`,
  ];
}

function legend(
  l: Layout,
  entries: { name: string; color: string; dashed?: boolean; box?: boolean }[],
): string[] {
  if (entries.length === 0) return [];
  const x = l.left + l.plotWidth + 16;
  const rows = entries.map((e, i) => {
    const y = l.top + 8 + i * 18;
    const mark = e.box
      ? `<rect class="legend-mark" x="${x}" y="${y - 5}" width="14" height="10" fill="${e.color}"/>`
      : `<line x1="${x}" x2="${x + 14}" y1="${y}" y2="${y}" stroke="${e.color}" stroke-width="2.5"${e.dashed ? ' stroke-dasharray="5 3"' : ""}/>`;
    return `${mark}<text x="${x + 20}" y="${y}" dominant-baseline="middle">${escapeXml(e.name)}</text>`;
  });
  return [`<g class="legend">`, ...rows, `</g>`];
}

/** Domain and ticks of a logarithmic axis: the given ticks, or 1, 2, 5 × 10^k within the data's range. */
function logDomain(values: number[], axis: Axis): { ticks: number[]; lo: number; hi: number } {
  const finite = values.filter((v) => Number.isFinite(v) && v > 0);
  const lo = axis.min ?? (finite.length ? Math.min(...finite) : 1);
  const hi = axis.max ?? (finite.length ? Math.max(...finite) : 10);
  let ticks = axis.ticks;
  if (!ticks) {
    ticks = [];
    for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++)
      for (const m of [1, 2, 5]) {
        const t = Number((m * 10 ** k).toPrecision(12));
        if (t >= lo && t <= hi) ticks.push(t);
      }
  }
  return { ticks, lo: lo === hi ? lo / 2 : lo, hi: lo === hi ? hi * 2 : hi };
}

/** A line chart over numeric x; series with `step` are drawn as steps (value holds until the next x). */
export function lineChart(spec: LineChartSpec): string {
  const colors = spec.series.map((s, i) => s.color ?? PALETTE[i % PALETTE.length]);
  const l = layout(
    spec,
    spec.series.map((s) => s.name),
  );
  const sorted = spec.series.map((s) => [...s.points].sort((a, b) => a.x - b.x));
  // A step series holds its last value for one more step: that end belongs in the x range too.
  const stepEnd = (pts: { x: number }[]): number[] =>
    pts.length > 1 ? [2 * pts[pts.length - 1].x - pts[pts.length - 2].x] : [];
  const xs = spec.series.flatMap((s, i) => [
    ...s.points.map((p) => p.x),
    ...(s.step ? stepEnd(sorted[i]) : []),
  ]);
  const ys = spec.series.flatMap((s) => s.points.map((p) => p.y));
  if (spec.x.log && xs.some((v) => Number.isFinite(v) && v <= 0))
    throw new RangeError("a logarithmic x axis needs positive x values");
  const xd = spec.x.log ? logDomain(xs, spec.x) : domainOf(xs, spec.x, false);
  if (spec.x.ticks && !spec.x.log) xd.ticks = spec.x.ticks;
  const yd = domainOf(ys, spec.y, false);
  const xLinear = spec.x.log
    ? linear([Math.log10(xd.lo), Math.log10(xd.hi)], [l.left, l.left + l.plotWidth])
    : linear([xd.lo, xd.hi], [l.left, l.left + l.plotWidth]);
  const x = spec.x.log ? (v: number) => xLinear(Math.log10(v)) : xLinear;
  const y = linear([yd.lo, yd.hi], [l.top + l.plotHeight, l.top]);
  const xStep = spec.x.log ? 1 : xd.ticks.length > 1 ? xd.ticks[1] - xd.ticks[0] : 1;
  const out = [...open(spec, l), ...yAxis(spec, l, yd.ticks, y), ...xAxisLine(spec, l)];
  for (const t of xd.ticks) {
    const px = fmt(x(t));
    const base = l.top + l.plotHeight;
    out.push(
      `<g class="tick"><line x1="${px}" x2="${px}" y1="${base}" y2="${base + 5}" stroke="#333"/>` +
        `<text x="${px}" y="${base + 18}" text-anchor="middle">${escapeXml(formatTick(t, xStep))}</text></g>`,
    );
  }
  spec.series.forEach((s, i) => {
    const pts = sorted[i];
    let d = "";
    let pen = false;
    pts.forEach((p, k) => {
      if (!Number.isFinite(p.y) || !Number.isFinite(p.x)) {
        pen = false;
        return;
      }
      d += `${pen ? "L" : "M"}${fmt(x(p.x))} ${fmt(y(p.y))}`;
      pen = true;
      if (s.step) {
        const next = pts[k + 1];
        const xEnd = next ? next.x : p.x + (k > 0 ? p.x - pts[k - 1].x : 0);
        d += `L${fmt(x(xEnd))} ${fmt(y(p.y))}`;
      }
    });
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : "";
    out.push(
      `<path class="series" d="${d}" fill="none" stroke="${colors[i]}" stroke-width="2"${dash}><title>${escapeXml(s.name)}</title></path>`,
    );
  });
  out.push(
    ...legend(
      l,
      spec.series.map((s, i) => ({ name: s.name, color: colors[i], dashed: s.dashed })),
    ),
    "</svg>",
  );
  return out.join("\n") + "\n";
}

function checkBars(spec: BarChartSpec): void {
  spec.series.forEach((s) => {
    if (s.values.length !== spec.categories.length)
      throw new RangeError(
        `series "${s.name}" has ${s.values.length} values for ${spec.categories.length} categories`,
      );
  });
}

function barFrame(spec: BarChartSpec, yValues: number[]) {
  const band0 = (spec.width ?? 760) / Math.max(1, spec.categories.length);
  const longest = Math.max(0, ...spec.categories.map((c) => c.length));
  const rotate = longest * CHAR_WIDTH > band0 * 0.9 && spec.categories.length > 0;
  const l = layout(
    spec,
    spec.series.length > 1 ? spec.series.map((s) => s.name) : [],
    rotate ? Math.min(120, longest * CHAR_WIDTH * 0.6) : 0,
  );
  const yd = domainOf(yValues, spec.y, true);
  const y = linear([yd.lo, yd.hi], [l.top + l.plotHeight, l.top]);
  const band = l.plotWidth / Math.max(1, spec.categories.length);
  const every = Math.max(
    1,
    Math.ceil((spec.categories.length * (rotate ? 14 : longest * CHAR_WIDTH + 8)) / l.plotWidth),
  );
  const out = [...open(spec, l), ...yAxis(spec, l, yd.ticks, y), ...xAxisLine(spec, l)];
  const base = l.top + l.plotHeight;
  spec.categories.forEach((c, i) => {
    if (i % every !== 0) return;
    const px = fmt(l.left + band * (i + 0.5));
    const text = rotate
      ? `<text x="${px}" y="${base + 14}" text-anchor="end" transform="rotate(-35 ${px} ${base + 14})">${escapeXml(c)}</text>`
      : `<text x="${px}" y="${base + 18}" text-anchor="middle">${escapeXml(c)}</text>`;
    out.push(`<g class="tick">${text}</g>`);
  });
  return { l, y, band, out, colors: spec.series.map((s, i) => s.color ?? PALETTE[i % PALETTE.length]) };
}

function bar(x: number, y0: number, y1: number, w: number, color: string, tip: string): string {
  const top = Math.min(y0, y1);
  return `<rect class="bar" x="${fmt(x)}" y="${fmt(top)}" width="${fmt(Math.max(0.5, w))}" height="${fmt(Math.abs(y1 - y0))}" fill="${color}"><title>${escapeXml(tip)}</title></rect>`;
}

/** Bars per category, the series side by side; the y axis always includes 0. */
export function barChart(spec: BarChartSpec): string {
  checkBars(spec);
  const { l, y, band, out, colors } = barFrame(
    spec,
    spec.series.flatMap((s) => s.values),
  );
  const inner = (band * 0.8) / Math.max(1, spec.series.length);
  spec.categories.forEach((c, i) =>
    spec.series.forEach((s, k) => {
      const v = s.values[i];
      if (!Number.isFinite(v)) return;
      out.push(
        bar(l.left + band * (i + 0.1) + inner * k, y(0), y(v), inner, colors[k], `${c} — ${s.name}: ${v}`),
      );
    }),
  );
  if (spec.series.length > 1)
    out.push(
      ...legend(
        l,
        spec.series.map((s, k) => ({ name: s.name, color: colors[k], box: true })),
      ),
    );
  out.push("</svg>");
  return out.join("\n") + "\n";
}

/** Bars per category with the series stacked on each other (values must be non-negative). */
export function stackedBarChart(spec: BarChartSpec): string {
  checkBars(spec);
  for (const s of spec.series)
    if (s.values.some((v) => !(v >= 0)))
      throw new RangeError(`stacked series "${s.name}" has a negative or missing value`);
  const totals = spec.categories.map((_, i) => spec.series.reduce((sum, s) => sum + s.values[i], 0));
  const { l, y, band, out, colors } = barFrame(spec, totals);
  spec.categories.forEach((c, i) => {
    let acc = 0;
    spec.series.forEach((s, k) => {
      const v = s.values[i];
      if (v === 0) return;
      out.push(
        bar(l.left + band * (i + 0.1), y(acc), y(acc + v), band * 0.8, colors[k], `${c} — ${s.name}: ${v}`),
      );
      acc += v;
    });
  });
  if (spec.series.length > 1)
    out.push(
      ...legend(
        l,
        spec.series.map((s, k) => ({ name: s.name, color: colors[k], box: true })),
      ),
    );
  out.push("</svg>");
  return out.join("\n") + "\n";
}

/** Where a chart draws: its size and the plot inside the axes, in SVG user units. */
export interface Frame {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
}

export interface Tick {
  at: number;
  label: string;
}

/** What every chart has: the frame and the ticks on both axes, which the page's one SVG macro draws. */
export interface Axes extends Frame {
  xTicks: Tick[];
  yTicks: Tick[];
}

const WIDTH = 640;
const HEIGHT = 380;
const MARGIN = { left: 70, right: 30, top: 20, bottom: 60 };
const FRAME: Frame = { width: WIDTH, height: HEIGHT, plot: { left: MARGIN.left, top: MARGIN.top, right: WIDTH - MARGIN.right, bottom: HEIGHT - MARGIN.bottom } };

export const percent = (x: number) => `${Math.round(x * 100)}%`;
const count = (x: number) => String(x);
const round = (v: number) => Math.round(v * 10) / 10;

const whole = (x: number) => Math.abs(x - Math.round(x)) < 1e-9;

/**
 * Tick values covering [low, high] at a round step (1, 2, 2.5 or 5 times a power of ten, and a
 * whole number of `grain`s: a whole percent for shares, a whole one for counts), from the step
 * below low to the one above high.
 */
export function ticks(low: number, high: number, grain = 0.01): number[] {
  const span = Math.max(high - low, grain);
  let step: number | undefined;
  for (let power = Math.floor(Math.log10(span / 5)); step === undefined; power++) {
    step = [1, 2, 2.5, 5].map((m) => m * 10 ** power).find((s) => span / s <= 5 + 1e-9 && s >= grain - 1e-12 && whole(s / grain));
  }
  const from = Math.floor(low / step + 1e-9) * step;
  const to = Math.ceil(high / step - 1e-9) * step;
  const values: number[] = [];
  for (let v = from; v <= to + 1e-9; v += step) values.push(Math.round(v * 1e6) / 1e6);
  return values.length > 1 ? values : [from, from + step];
}

/** A value on an axis of these ticks, from `start` (the low end's coordinate) to `end`. */
function scale(values: number[], start: number, end: number): (v: number) => number {
  const low = values[0];
  const high = values[values.length - 1];
  return (v: number) => round(start + ((v - low) / (high - low)) * (end - start));
}

/** A run of the simulation as the chart draws it. */
export interface ChartPoint {
  label: string;
  utilisation: number;
  /** Null when nobody came, which no point can show. */
  waitedShare: number | null;
  candidate: boolean;
}

export interface CurveChart extends Axes {
  /** The curve, off first then by risk target, as an SVG polyline's points. */
  line: string;
  points: { x: number; y: number; label: string; candidate: boolean }[];
}

/**
 * Utilisation (across) against the share of customers who waited (up), one point per run:
 * where a policy moves the site from off along the risk curve. Drawn on the server as SVG,
 * the numbers beside it in a table for anyone who cannot see it.
 */
export function curveChart(runs: ChartPoint[]): CurveChart {
  const { plot } = FRAME;
  const shown = runs.filter((r): r is ChartPoint & { waitedShare: number } => r.waitedShare !== null);
  const xs = ticks(Math.min(...shown.map((r) => r.utilisation)), Math.max(...shown.map((r) => r.utilisation)));
  const ys = ticks(0, Math.max(...shown.map((r) => r.waitedShare), 0.05));
  const x = scale(xs, plot.left, plot.right);
  const y = scale(ys, plot.bottom, plot.top);
  const points = shown.map((r) => ({ x: x(r.utilisation), y: y(r.waitedShare), label: r.label, candidate: r.candidate }));
  return {
    ...FRAME,
    xTicks: xs.map((v) => ({ at: x(v), label: percent(v) })),
    yTicks: ys.map((v) => ({ at: y(v), label: percent(v) })),
    line: points.filter((p) => !p.candidate).map((p) => `${p.x},${p.y}`).join(' '),
    points,
  };
}

/** A share for one group, with the interval it is known within. */
export interface BarValue {
  label: string;
  /** Null when the group has nothing to measure: no bar is drawn, only its label. */
  value: number | null;
  interval?: { low: number; high: number } | null;
}

export interface BarChart extends Axes {
  bars: { label: string; x: number; width: number; y: number; height: number; whisker: { y1: number; y2: number } | null }[];
}

/**
 * A share per group (the DNA rate by weekday, say) as upright bars from 0%, each with a
 * whisker over its interval when it has one, so that a small group's rate is not read as sure.
 */
export function barChart(groups: BarValue[]): BarChart {
  const { plot } = FRAME;
  const highest = Math.max(0.05, ...groups.map((g) => Math.max(g.value ?? 0, g.interval?.high ?? 0)));
  const ys = ticks(0, highest);
  const y = scale(ys, plot.bottom, plot.top);
  const band = (plot.right - plot.left) / Math.max(groups.length, 1);
  const width = round(band * 0.6);
  const centre = (i: number) => round(plot.left + band * (i + 0.5));
  return {
    ...FRAME,
    xTicks: groups.map((g, i) => ({ at: centre(i), label: g.label })),
    yTicks: ys.map((v) => ({ at: y(v), label: percent(v) })),
    bars: groups.flatMap((g, i) =>
      g.value === null
        ? []
        : [{ label: g.label, x: round(centre(i) - width / 2), width, y: y(g.value), height: round(plot.bottom - y(g.value)), whisker: g.interval ? { y1: y(g.interval.high), y2: y(g.interval.low) } : null }],
    ),
  };
}

/** Counts over time (a week each), one line a series. */
export interface Series {
  name: string;
  values: number[];
}

export interface SeriesChart extends Axes {
  lines: { name: string; line: string; points: { x: number; y: number }[] }[];
}

/**
 * Counts per period across (the week's labels, `every` other one shown so that they fit) and
 * up from 0, one line per series.
 */
export function seriesChart(periods: string[], series: Series[], every = 1): SeriesChart {
  const { plot } = FRAME;
  const ys = ticks(0, Math.max(4, ...series.flatMap((s) => s.values)), 1);
  const y = scale(ys, plot.bottom, plot.top);
  const step = (plot.right - plot.left) / Math.max(periods.length, 1);
  const x = (i: number) => round(plot.left + step * (i + 0.5));
  return {
    ...FRAME,
    xTicks: periods.flatMap((label, i) => ((periods.length - 1 - i) % every === 0 ? [{ at: x(i), label }] : [])),
    yTicks: ys.map((v) => ({ at: y(v), label: count(v) })),
    lines: series.map((s) => {
      const points = s.values.map((v, i) => ({ x: x(i), y: y(v) }));
      return { name: s.name, line: points.map((p) => `${p.x},${p.y}`).join(' '), points };
    }),
  };
}

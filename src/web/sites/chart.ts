/** A run of the simulation as the chart draws it. */
export interface ChartPoint {
  label: string;
  utilisation: number;
  /** Null when nobody came, which no point can show. */
  waitedShare: number | null;
  candidate: boolean;
}

export interface Chart {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  xTicks: { at: number; label: string }[];
  yTicks: { at: number; label: string }[];
  /** The curve, off first then by risk target, as an SVG polyline's points. */
  line: string;
  points: { x: number; y: number; label: string; candidate: boolean }[];
}

const WIDTH = 640;
const HEIGHT = 380;
const MARGIN = { left: 70, right: 30, top: 20, bottom: 60 };

const percent = (x: number) => `${Math.round(x * 100)}%`;

/** Tick values covering [low, high] at a round step, from the step below low to the one above high. */
function ticks(low: number, high: number): number[] {
  const span = Math.max(high - low, 0.01);
  const step = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5].find((s) => span / s <= 5) ?? 1;
  const from = Math.floor(low / step + 1e-9) * step;
  const to = Math.ceil(high / step - 1e-9) * step;
  const values: number[] = [];
  for (let v = from; v <= to + 1e-9; v += step) values.push(Math.round(v * 1e6) / 1e6);
  return values.length > 1 ? values : [from, from + step];
}

/**
 * Utilisation (across) against the share of customers who waited (up), one point per run:
 * where a policy moves the site from off along the risk curve. Drawn on the server as SVG,
 * the numbers beside it in a table for anyone who cannot see it.
 */
export function curveChart(runs: ChartPoint[]): Chart {
  const shown = runs.filter((r): r is ChartPoint & { waitedShare: number } => r.waitedShare !== null);
  const xs = ticks(Math.min(...shown.map((r) => r.utilisation)), Math.max(...shown.map((r) => r.utilisation)));
  const ys = ticks(0, Math.max(...shown.map((r) => r.waitedShare), 0.05));
  const plot = { left: MARGIN.left, top: MARGIN.top, right: WIDTH - MARGIN.right, bottom: HEIGHT - MARGIN.bottom };
  const x = (v: number) => plot.left + ((v - xs[0]) / (xs[xs.length - 1] - xs[0])) * (plot.right - plot.left);
  const y = (v: number) => plot.bottom - ((v - ys[0]) / (ys[ys.length - 1] - ys[0])) * (plot.bottom - plot.top);
  const round = (v: number) => Math.round(v * 10) / 10;
  const points = shown.map((r) => ({ x: round(x(r.utilisation)), y: round(y(r.waitedShare)), label: r.label, candidate: r.candidate }));
  return {
    width: WIDTH,
    height: HEIGHT,
    plot,
    xTicks: xs.map((v) => ({ at: round(x(v)), label: percent(v) })),
    yTicks: ys.map((v) => ({ at: round(y(v)), label: percent(v) })),
    line: points.filter((p) => !p.candidate).map((p) => `${p.x},${p.y}`).join(' '),
    points,
  };
}

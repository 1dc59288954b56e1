import fc from 'fast-check';
import { barChart, curveChart, seriesChart, ticks } from './chart';

describe('the simulation curve', () => {
  const runs = [
    { label: 'Off', utilisation: 0.82, waitedShare: 0.01, candidate: false },
    { label: '5%', utilisation: 0.86, waitedShare: 0.04, candidate: false },
    { label: '30%', utilisation: 0.97, waitedShare: 0.21, candidate: false },
    { label: 'This policy', utilisation: 0.86, waitedShare: 0.04, candidate: true },
  ];

  it('puts the runs inside the plot, more utilisation to the right and more waiting higher up', () => {
    const chart = curveChart(runs);
    const [off, five, thirty, candidate] = chart.points;
    for (const p of chart.points) {
      expect(p.x).toBeGreaterThanOrEqual(chart.plot.left);
      expect(p.x).toBeLessThanOrEqual(chart.plot.right);
      expect(p.y).toBeGreaterThanOrEqual(chart.plot.top);
      expect(p.y).toBeLessThanOrEqual(chart.plot.bottom);
    }
    expect(off.x).toBeLessThan(five.x);
    expect(five.x).toBeLessThan(thirty.x);
    expect(thirty.y).toBeLessThan(off.y);
    expect(candidate).toMatchObject({ x: five.x, y: five.y, candidate: true });
    expect(chart.line.split(' ')).toHaveLength(3);
  });

  it('labels round ticks spanning the runs, waiting from 0%', () => {
    const chart = curveChart(runs);
    expect(chart.xTicks.map((t) => t.label)).toEqual(['80%', '85%', '90%', '95%', '100%']);
    expect(chart.yTicks[0]).toEqual({ at: chart.plot.bottom, label: '0%' });
    expect(chart.yTicks.at(-1)!.label).toBe('25%');
  });

  it('leaves out a run nobody came to, and copes with runs all alike', () => {
    const chart = curveChart([{ label: 'Off', utilisation: 0.5, waitedShare: 0, candidate: false }, { label: 'This policy', utilisation: 0.5, waitedShare: null, candidate: true }]);
    expect(chart.points).toHaveLength(1);
    expect(chart.xTicks.length).toBeGreaterThan(1);
    expect(Number.isFinite(chart.points[0].x)).toBe(true);
  });
});

describe('ticks', () => {
  it('steps by whole percents for shares and whole numbers for counts, covering the values', () => {
    expect(ticks(0, 0.12)).toEqual([0, 0.05, 0.1, 0.15]);
    expect(ticks(0, 0.9)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ticks(0, 7, 1)).toEqual([0, 2, 4, 6, 8]);
    expect(ticks(0, 230, 1)).toEqual([0, 50, 100, 150, 200, 250]);
  });

  it('holds any range in at most six round ticks from at or below the low end to at or above the high', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), (a, b, counts) => {
        const [low, high] = counts ? [Math.round(a * 500), Math.round(b * 500)].sort((x, y) => x - y) : [a, b].sort((x, y) => x - y);
        const grain = counts ? 1 : 0.01;
        const values = ticks(low, high, grain);
        expect(values.length).toBeGreaterThan(1);
        expect(values.length).toBeLessThanOrEqual(6);
        expect(values[0]).toBeLessThanOrEqual(low + 1e-9);
        expect(values.at(-1)!).toBeGreaterThanOrEqual(high - 1e-9);
        const step = values[1] - values[0];
        for (const v of values) expect(Math.abs(v / grain - Math.round(v / grain))).toBeLessThan(1e-6);
        for (let i = 1; i < values.length; i++) expect(values[i] - values[i - 1]).toBeCloseTo(step, 9);
      }),
    );
  });
});

describe('the bar chart of shares', () => {
  const groups = [
    { label: 'Mon', value: 0.1, interval: { low: 0.06, high: 0.16 } },
    { label: 'Tue', value: 0.3, interval: { low: 0.2, high: 0.42 } },
    { label: 'Sat', value: null },
  ];

  it('stands each bar on 0% at a height in proportion to its share, the whisker over its interval', () => {
    const chart = barChart(groups);
    const [mon, tue] = chart.bars;
    expect(chart.bars).toHaveLength(2);
    expect(mon.y + mon.height).toBeCloseTo(chart.plot.bottom, 5);
    expect(tue.y + tue.height).toBeCloseTo(chart.plot.bottom, 5);
    expect(tue.height / mon.height).toBeCloseTo(3, 1);
    expect(tue.whisker!.y1).toBeLessThan(tue.y);
    expect(tue.whisker!.y2).toBeGreaterThan(tue.y);
    expect(chart.yTicks[0]).toEqual({ at: chart.plot.bottom, label: '0%' });
    expect(chart.yTicks.at(-1)!.label).toBe('50%');
    expect(chart.yTicks.at(-1)!.at).toBe(chart.plot.top);
  });

  it('gives every group its label in order across, with no bar for one that has nothing to measure', () => {
    const chart = barChart(groups);
    expect(chart.xTicks.map((t) => t.label)).toEqual(['Mon', 'Tue', 'Sat']);
    expect(chart.xTicks[0].at).toBeLessThan(chart.xTicks[1].at);
    for (const bar of chart.bars) {
      expect(bar.x).toBeGreaterThanOrEqual(chart.plot.left);
      expect(bar.x + bar.width).toBeLessThanOrEqual(chart.plot.right);
    }
  });
});

describe('the weekly series chart', () => {
  it('draws each series from 0 at its count, labelling the last period and every other one back from it', () => {
    const weeks = ['7 Sep', '14 Sep', '21 Sep', '28 Sep', '5 Oct'];
    const chart = seriesChart(weeks, [
      { name: 'Booked', values: [20, 18, 22, 9, 0] },
      { name: 'Attended', values: [15, 14, 16, 7, 0] },
    ], 2);
    expect(chart.xTicks.map((t) => t.label)).toEqual(['7 Sep', '21 Sep', '5 Oct']);
    expect(chart.yTicks.at(-1)!.label).toBe('25');
    const [booked, attended] = chart.lines;
    expect(booked.points).toHaveLength(5);
    expect(booked.points[4].y).toBe(chart.plot.bottom);
    expect(booked.points[2].y).toBeLessThan(attended.points[2].y);
    expect(booked.points[0].x).toBeLessThan(booked.points[1].x);
    expect(booked.line.split(' ')).toHaveLength(5);
  });
});

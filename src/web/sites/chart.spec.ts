import { curveChart } from './chart';

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

import fc from 'fast-check';
import { boundingBox, distanceKm, isNear, normaliseArea, Point } from './nearby';

const point = fc.record({ latitude: fc.double({ min: -89.9, max: 89.9, noNaN: true }), longitude: fc.double({ min: -180, max: 180, noNaN: true }) });
// Britain, where the service's sites are.
const british = fc.record({ latitude: fc.double({ min: 49.9, max: 58.7, noNaN: true }), longitude: fc.double({ min: -8.2, max: 1.8, noNaN: true }) });

describe('distanceKm', () => {
  // Great-circle distances between these points as usually quoted (city centres), to within 0.5 %.
  it.each([
    ['Lewisham to Catford', { latitude: 51.4613, longitude: -0.0139 }, { latitude: 51.4452, longitude: -0.0209 }, 1.85],
    ['London to Manchester', { latitude: 51.5074, longitude: -0.1278 }, { latitude: 53.4808, longitude: -2.2426 }, 262.9],
    ['London to Edinburgh', { latitude: 51.5074, longitude: -0.1278 }, { latitude: 55.9533, longitude: -3.1883 }, 534.0],
  ])('%s', (_name, a, b, km) => {
    expect(Math.abs(distanceKm(a, b) - km) / km).toBeLessThan(0.005);
  });

  it('a degree of latitude is about 111.2 km anywhere, a degree of longitude shrinks with the cosine', () => {
    expect(distanceKm({ latitude: 10, longitude: 3 }, { latitude: 11, longitude: 3 })).toBeCloseTo(111.2, 1);
    expect(distanceKm({ latitude: 60, longitude: 0 }, { latitude: 60, longitude: 1 })).toBeCloseTo(55.6, 0);
  });

  it('keeps the triangle inequality near the antipode (a counterexample the haversine failed)', () => {
    const [a, b, c] = [{ latitude: 0, longitude: 179.99999987060215 }, { latitude: 0, longitude: -0.000001336816140451447 }, { latitude: 0, longitude: 0 }];
    expect(distanceKm(a, c)).toBeLessThanOrEqual(distanceKm(a, b) + distanceKm(b, c) + 1e-6);
  });

  it('is a metric: zero to itself, symmetric, and never shorter than going round by a third point', () => {
    fc.assert(
      fc.property(point, point, point, (a, b, c) => {
        expect(distanceKm(a, a)).toBeCloseTo(0, 9);
        expect(distanceKm(a, b)).toBeCloseTo(distanceKm(b, a), 9);
        expect(distanceKm(a, c)).toBeLessThanOrEqual(distanceKm(a, b) + distanceKm(b, c) + 1e-6);
        expect(distanceKm(a, b)).toBeLessThanOrEqual(Math.PI * 6371.0088 + 1e-6);
      }),
    );
  });
});

describe('isNear', () => {
  const at = (p: Point | null, area: string | null = null) => ({ area, point: p });

  it('the same area is near whatever the distance, however it is typed', () => {
    expect(isNear(at({ latitude: 51.4, longitude: 0 }, 'South London'), at({ latitude: 51.6, longitude: -0.3 }, ' south  london'), 10)).toBe(true);
    expect(isNear(at(null, 'South London'), at(null, 'North London'), 10)).toBe(false);
  });

  it('without a shared area, within the distance is near and beyond it is not', () => {
    fc.assert(
      fc.property(british, british, fc.double({ min: 0.5, max: 50, noNaN: true }), (a, b, km) => {
        expect(isNear(at(a, 'A'), at(b, 'B'), km)).toBe(distanceKm(a, b) <= km);
      }),
    );
  });

  it('a site without a point is near only by its area; a site is near itself', () => {
    expect(isNear(at(null), at({ latitude: 51, longitude: 0 }), 10)).toBe(false);
    fc.assert(fc.property(british, (a) => expect(isNear(at(a), at(a), 0)).toBe(true)));
  });
});

describe('boundingBox', () => {
  it('holds every point within the distance, wherever the centre', () => {
    fc.assert(
      fc.property(point, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }), fc.double({ min: 0.1, max: 200, noNaN: true }), (centre, fraction, bearing, km) => {
        // A point at distance fraction × km along the bearing (the destination-point formula).
        const d = (fraction * km) / 6371.0088;
        const lat1 = (centre.latitude * Math.PI) / 180;
        const lat2 = Math.asin(Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(bearing));
        const lon2 = (centre.longitude * Math.PI) / 180 + Math.atan2(Math.sin(bearing) * Math.sin(d) * Math.cos(lat1), Math.cos(d) - Math.sin(lat1) * Math.sin(lat2));
        const target = { latitude: (lat2 * 180) / Math.PI, longitude: ((((lon2 * 180) / Math.PI + 540) % 360) + 360) % 360 - 180 };
        fc.pre(distanceKm(centre, target) <= km);
        const box = boundingBox(centre, km);
        expect(target.latitude).toBeGreaterThanOrEqual(box.minLatitude);
        expect(target.latitude).toBeLessThanOrEqual(box.maxLatitude);
        expect(target.longitude).toBeGreaterThanOrEqual(box.minLongitude);
        expect(target.longitude).toBeLessThanOrEqual(box.maxLongitude);
      }),
    );
  });
});

describe('normaliseArea', () => {
  it('trims and folds runs of spaces, keeping the case as typed', () => {
    expect(normaliseArea('  South   London ')).toBe('South London');
  });
});

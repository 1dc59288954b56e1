/** A point on the Earth in WGS84 degrees. */
export interface Point {
  latitude: number;
  longitude: number;
}

/** Where a site is, as far as nearness goes: a named area, a point, either or neither. */
export interface Place {
  area: string | null;
  point: Point | null;
}

// The mean radius: the spherical model is off by at most 0.5 % against the ellipsoid, a few
// tens of metres over the distances a customer travels to an appointment.
const EARTH_RADIUS_KM = 6371.0088;
const radians = (degrees: number) => (degrees * Math.PI) / 180;

/**
 * Great-circle distance in kilometres, by the spherical form of Vincenty's formula: accurate
 * at every distance, where the haversine's asin loses precision near the antipode (found by
 * the triangle-inequality property, which it then broke).
 */
export function distanceKm(a: Point, b: Point): number {
  const [lat1, lat2, dLon] = [radians(a.latitude), radians(b.latitude), radians(b.longitude - a.longitude)];
  const across = Math.cos(lat2) * Math.sin(dLon);
  const along = Math.cos(lat1) * Math.sin(lat2) - Math.sin(lat1) * Math.cos(lat2) * Math.cos(dLon);
  const dot = Math.sin(lat1) * Math.sin(lat2) + Math.cos(lat1) * Math.cos(lat2) * Math.cos(dLon);
  return EARTH_RADIUS_KM * Math.atan2(Math.hypot(across, along), dot);
}

/**
 * Whether a customer sent from `from` could go to `to`: the same area (as people name
 * areas, whatever the distance), or within `km` as the crow flies. A site is near itself.
 */
export function isNear(from: Place, to: Place, km: number): boolean {
  if (from.area !== null && to.area !== null && sameArea(from.area, to.area)) return true;
  return from.point !== null && to.point !== null && distanceKm(from.point, to.point) <= km;
}

/** Areas are typed by people: "South London" and "south london " are one area. */
export const normaliseArea = (area: string): string => area.trim().replace(/\s+/g, ' ');
const sameArea = (a: string, b: string) => normaliseArea(a).toLowerCase() === normaliseArea(b).toLowerCase();

/**
 * A latitude/longitude box holding every point within `km` of `centre` (and some more), for
 * an index to narrow the candidates before distanceKm decides. Near the poles or across
 * the antimeridian the box would wrap: there it takes every longitude.
 */
export function boundingBox(centre: Point, km: number): { minLatitude: number; maxLatitude: number; minLongitude: number; maxLongitude: number } {
  // A degree of latitude is at least 110.5 km; take a little less so the box never falls short.
  const dLat = km / 110;
  const minLatitude = Math.max(-90, centre.latitude - dLat);
  const maxLatitude = Math.min(90, centre.latitude + dLat);
  const widest = Math.max(Math.abs(minLatitude), Math.abs(maxLatitude));
  const cos = Math.cos(radians(widest));
  const dLon = cos > 0 ? km / (110 * cos) : Infinity;
  if (centre.longitude - dLon < -180 || centre.longitude + dLon > 180) return { minLatitude, maxLatitude, minLongitude: -180, maxLongitude: 180 };
  return { minLatitude, maxLatitude, minLongitude: centre.longitude - dLon, maxLongitude: centre.longitude + dLon };
}

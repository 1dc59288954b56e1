import { Rng } from '../../src/common/random/rng';
import { addDays } from '../../src/common/time/local-time';
import type { DatasetMeta } from '../national-dataset';

/** Slot searches as partners make them, from a seeded generator so that runs are comparable (bench:slots, bench:mixed). */

const TYPE_MIX = [['CAREERS_GUIDANCE', 40], ['SKILLS_HEALTH_CHECK', 25], ['FOLLOW_UP', 20], ['TELEPHONE_FOLLOW_UP', 10], ['CV_WORKSHOP', 5]] as const;

export interface SearchShape {
  /** Seeds the generator: the same key gives the same searches. */
  key: string;
  /** Random sites per search, or 'near': the sites near a random jobcentre. */
  sites: number | 'near';
  limit?: number;
  days: number;
}

export interface SlotQuery {
  appointmentType: string;
  siteId?: string[];
  nearSiteId?: string;
  limit?: number;
  from: string;
  to: string;
}

/** `count` searches of a shape: a random appointment type each, and random sites (or a random jobcentre). */
export function slotQueries(meta: DatasetMeta, jobcentres: string[], s: SearchShape, count: number): SlotQuery[] {
  const rng = new Rng(`slots|${s.key}`);
  return Array.from({ length: count }, () => ({
    appointmentType: rng.weighted(TYPE_MIX),
    ...(s.sites === 'near' ? { nearSiteId: rng.pick(jobcentres) } : { siteId: rng.shuffle([...meta.siteIds]).slice(0, s.sites) }),
    ...(s.limit ? { limit: s.limit } : {}),
    from: meta.startDate,
    to: addDays(meta.startDate, s.days - 1),
  }));
}

export const slotPath = (q: SlotQuery) =>
  `/v1/slots?appointmentType=${q.appointmentType}&${(q.siteId ?? []).map((id) => `siteId=${id}&`).join('')}${q.nearSiteId ? `nearSiteId=${q.nearSiteId}&` : ''}` +
  `${q.limit ? `limit=${q.limit}&` : ''}from=${q.from}&to=${q.to}`;

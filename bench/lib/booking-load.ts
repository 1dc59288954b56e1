import { performance } from 'node:perf_hooks';
import { addDays } from '../../src/common/time/local-time';
import type { DatasetMeta } from '../national-dataset';
import { HttpClient, Request } from './http-load';

/** Bookings as a partner makes them over HTTP, shared by bench:bookings and bench:mixed. */

export interface SlotView {
  siteId: string;
  adviserId: string;
  roomId: string | null;
  start: string;
  end: string;
  capacity: number;
  remaining: number;
}

export interface Slot extends SlotView {
  type: string;
}

export const body = (slot: Slot, reference: string) => ({
  appointmentType: slot.type,
  siteId: slot.siteId,
  adviserId: slot.adviserId,
  start: slot.start,
  customer: { reference, name: 'Sam Taylor', mobile: '07911 123456', email: 'sam.taylor@example.com', preferredChannel: 'sms', consentToContact: true },
  referral: { source: 'partner', referrerName: 'J. Okafor', reason: 'Career change', mandatory: false },
});

export const post = (slot: Slot, reference: string): Request => ({ method: 'POST', path: '/v1/bookings', body: body(slot, reference) });

/** Free slots of a type as a partner finds them: GET /v1/slots over the sites, 50 at a time, 4 weeks at a time. */
export async function findSlots(client: HttpClient, meta: DatasetMeta, type: string, target: number, log: (s: string) => void): Promise<Slot[]> {
  const seen = new Set<string>();
  const found: Slot[] = [];
  const t0 = performance.now();
  let requests = 0;
  outer: for (const offset of [0, 28, 56]) {
    for (let i = 0; i < meta.siteIds.length; i += 50) {
      const sites = meta.siteIds.slice(i, i + 50);
      const path = `/v1/slots?appointmentType=${type}&${sites.map((id) => `siteId=${id}`).join('&')}&from=${addDays(meta.startDate, offset)}&to=${addDays(meta.startDate, offset + 27)}`;
      const res = await client.json<{ slots: SlotView[] }>({ method: 'GET', path });
      requests++;
      if (res.status !== 200) throw new Error(`GET /v1/slots -> ${res.status} ${JSON.stringify(res.body)}`);
      for (const s of res.body.slots) {
        const key = `${s.adviserId}|${s.start}`;
        if (seen.has(key)) continue;
        seen.add(key);
        found.push({ ...s, type });
      }
      if (found.length >= target) break outer;
    }
  }
  log(`  found ${found.length} free ${type} slots with ${requests} searches in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return found;
}

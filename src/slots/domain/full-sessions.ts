import { decideAdmission } from '../../bookings/domain/admission';
import { joinsWindow, SessionState, SlotQuery } from './slots';

/**
 * The sessions a booking of the query's type could join, in range and outside the minimum
 * notice, but for their being full: where an overbooking policy may offer an extra seat.
 * By start, then adviser.
 */
export function fullSessions(query: SlotQuery): SessionState[] {
  return query.sessions
    .filter(
      (s) =>
        s.start >= query.range.start &&
        s.start < query.range.end &&
        !decideAdmission(s).admit &&
        // Before the notice: the sessions include the advisers' own at sites not searched,
        // whose notice the search does not know.
        query.windows.some((w) => joinsWindow(s, w, query.type.code)) &&
        s.start >= query.earliestStart(s.siteId),
    )
    .sort((a, b) => a.start - b.start || a.adviserId.localeCompare(b.adviserId));
}

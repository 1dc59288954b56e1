import { SyntheticAppointment } from '../../src/attendance/domain/synthetic-history';
import { TrainingRow } from '../../src/attendance/domain/training-set';
import { DAY, isoWeekday, localClockOf } from '../../src/common/time/local-time';

const localDays = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / DAY);

/**
 * A synthetic row as ShowModelService.train reads it from attendance_records, where
 * insertHistory's SQL stored lead days, weekday and hour in the site's zone.
 */
export function trainingRow(row: SyntheticAppointment, zone: string): TrainingRow {
  const start = localClockOf(row.start, zone);
  return {
    customerReference: row.customerReference,
    bookedAt: row.bookedAt,
    start: row.start,
    outcome: row.outcome,
    siteId: row.siteId,
    leadDays: Math.max(0, localDays(localClockOf(row.bookedAt, zone).date, start.date)),
    referralSource: row.referralSource,
    mandatory: row.mandatory,
    appointmentType: row.appointmentType,
    channel: row.channel,
    weekday: isoWeekday(start.date),
    hour: Math.floor(start.minutes / 60),
    reminder: row.reminder,
  };
}

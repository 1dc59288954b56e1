import { Outcome, showed } from './outcomes';
import { ShowSignals } from './show-signals';

/**
 * Each row with the customer's record as it stood when that row was booked: their earlier
 * shows and DNAs (late cancellations left out) that started before the booking was made,
 * never anything the booking could not have known. Rows must come in start order.
 */
export function* withCustomerHistory<T extends { customerReference: string; bookedAt: number; start: number; outcome: Outcome }>(
  rows: Iterable<T>,
): Generator<{ row: T; history: ShowSignals['history'] }> {
  // Per customer, in start order: when each earlier show or DNA started, and whether they came.
  const records = new Map<string, { starts: number[]; came: boolean[] }>();
  let previous = -Infinity;
  for (const row of rows) {
    if (row.start < previous) throw new RangeError('withCustomerHistory needs the rows in start order');
    previous = row.start;
    let record = records.get(row.customerReference);
    if (!record) records.set(row.customerReference, (record = { starts: [], came: [] }));
    const history = { showed: 0, missed: 0 };
    for (let i = 0; i < record.starts.length && record.starts[i] < row.bookedAt; i++) {
      if (record.came[i]) history.showed++;
      else history.missed++;
    }
    yield { row, history };
    const came = showed(row.outcome);
    if (came !== null) {
      record.starts.push(row.start);
      record.came.push(came === 1);
    }
  }
}

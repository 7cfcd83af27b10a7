import type { CountedTable } from './report-table';
import { covers, factsOf, fixingColumns, KNOWN_EVENTS, KNOWN_INTERVALS, type QueryShape } from '../report-sql';

export const notificationBreaches: CountedTable<'notificationBreaches'> = {
  id: 'notificationBreaches',
  kind: 'period',
  section: '6.4',
  unit: 'persons',
  title: 'How many Registered Sexual Offenders were either cautioned or convicted for breaches of the notification requirement?',
  rule:
    '6.4 `notificationBreaches` (row rso; col count): distinct category 1 offenders in the area with at least one ' +
    '`NotificationRequirementBreached` during P whose outcome is a caution or a conviction.',
  rows: () => ['rso'],
  columns: ['count'],
  items: notificationBreachesItems,
};

/** One item per category 1 offender and area with a breach cautioned or convicted in P; counted event: the last such breach. */
function notificationBreachesItems(shape: QueryShape): string {
  return `
  WITH ${KNOWN_INTERVALS}, ${KNOWN_EVENTS}
  SELECT DISTINCT ON (iv.area, e.offender_id)
         iv.area, 'rso' AS row_id, 'count' AS col_id, e.offender_id, e.position AS counted_pos, ${fixingColumns('iv')}
    FROM known_events e
    JOIN known_intervals iv ON iv.offender_id = e.offender_id AND ${covers('iv', 'e.occurred_on')}
   WHERE ${factsOf(shape, 'e', ['NotificationRequirementBreached'], '$3::date', '$4::date')}
     AND e.data->>'outcome' IN ('caution', 'conviction') AND iv.area = ANY($1::text[]) AND iv.category = 1
   ORDER BY iv.area, e.offender_id, e.occurred_on DESC, e.revision DESC`;
}

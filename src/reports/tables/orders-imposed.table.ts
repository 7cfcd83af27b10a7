import type { CountedTable } from './report-table';
import { covers, factsOf, fixingColumns, KNOWN_EVENTS, KNOWN_INTERVALS, type QueryShape } from '../report-sql';

export const ordersImposed: CountedTable<'ordersImposed'> = {
  id: 'ordersImposed',
  kind: 'period',
  section: '6.3',
  unit: 'orders',
  title: 'Sexual Offences Prevention Orders (SOPOs), Notification Orders (NOs), & Foreign Travel Orders (FTOs) imposed by the courts',
  rule: '6.3 `ordersImposed` (rows sopo, notificationOrder, foreignTravelOrder; col count): orders imposed during P on ' + "offenders in the area at the order's date.",
  rows: () => ['sopo', 'notificationOrder', 'foreignTravelOrder'],
  columns: ['count'],
  items: ordersImposedItems,
};

/** One item per order imposed in P on an offender in the area at the end of the order's date. */
function ordersImposedItems(shape: QueryShape): string {
  return `
  WITH ${KNOWN_INTERVALS}, ${KNOWN_EVENTS}
  SELECT iv.area,
         CASE e.type WHEN 'SopoImposed' THEN 'sopo' WHEN 'NotificationOrderImposed' THEN 'notificationOrder' ELSE 'foreignTravelOrder' END AS row_id,
         'count' AS col_id, e.offender_id, e.position AS counted_pos, ${fixingColumns('iv')}
    FROM known_events e
    JOIN known_intervals iv ON iv.offender_id = e.offender_id AND ${covers('iv', 'e.occurred_on')}
   WHERE ${factsOf(shape, 'e', ['SopoImposed', 'NotificationOrderImposed', 'ForeignTravelOrderImposed'], '$3::date', '$4::date')}
     AND iv.area = ANY($1::text[])`;
}

import type { ReportTable } from './report-table';

export const ordersImposed: ReportTable = {
  id: 'ordersImposed',
  section: '6.3',
  title:
    'Sexual Offences Prevention Orders (SOPOs), Notification Orders (NOs), & Foreign Travel Orders (FTOs) imposed by the courts',
  rule:
    "6.3 `ordersImposed` (rows sopo, notificationOrder, foreignTravelOrder; col count): orders imposed during P on " +
    "offenders in the area at the order's date.",
  rows: () => ['sopo', 'notificationOrder', 'foreignTravelOrder'],
  columns: ['count'],
};

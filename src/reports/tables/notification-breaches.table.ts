import type { ReportTable } from './report-table';

export const notificationBreaches: ReportTable = {
  id: 'notificationBreaches',
  section: '6.4',
  title:
    'How many Registered Sexual Offenders were either cautioned or convicted for breaches of the notification requirement?',
  rule:
    '6.4 `notificationBreaches` (row rso; col count): distinct category 1 offenders in the area with at least one ' +
    '`NotificationRequirementBreached` during P whose outcome is a caution or a conviction.',
  rows: () => ['rso'],
  columns: ['count'],
};

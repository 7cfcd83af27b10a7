import { echo, InvalidInputError } from '../errors';

// The dates of a report year and how a year is written (DOMAIN.md 2, 6).

/** The dates of report year Y/Y+1 (DOMAIN.md 2, 6). */
export interface ReportPeriod {
  /** 1 April Y: first day of P. */
  from: string;
  /** 31 March Y+1: last day of P, and the snapshot date S. */
  to: string;
  /** 1 April Y-1: first day of the year before P (6.8 chargedInPreviousYear). */
  previousFrom: string;
  /** 31 March Y: the day before P (6.8 outstandingAtStart). */
  dayBefore: string;
}

export function reportPeriod(year: number): ReportPeriod {
  return { from: `${year}-04-01`, to: `${year + 1}-03-31`, previousFrom: `${year - 1}-04-01`, dayBefore: `${year}-03-31` };
}

/** 2014 -> '2014/15'. */
export const yearLabel = (year: number): string => `${year}/${String((year + 1) % 100).padStart(2, '0')}`;

/** '2014-15' or '2014/15' -> 2014, or a 400. */
export function parseReportYear(text: string): number {
  const m = /^(\d{4})[-/](\d{2})$/.exec(text);
  if (!m || (Number(m[1]) + 1) % 100 !== Number(m[2]) || Number(m[1]) < 1990 || Number(m[1]) > 2100) {
    const meant = meantYear(text);
    throw new InvalidInputError(`The year must be written like 2014-15 (1 April 2014 to 31 March 2015), not '${echo(text)}'.${meant ? ` Did you mean ${meant}?` : ''}`, [
      { field: 'year', rule: 'report-year', message: 'expected YYYY-YY' },
    ]);
  }
  return Number(m[1]);
}

/** The report year a mistyped one most likely means ('2014', '2014-2015', '14-15' -> '2014-15'), if any. */
function meantYear(text: string): string | null {
  const full = /(?:^|\D)(\d{4})(?:\D|$)/.exec(text);
  const short = /^(\d{2})\s*[-/]\s*\d{2}$/.exec(text.trim());
  const start = full ? Number(full[1]) : short ? 2000 + Number(short[1]) : NaN;
  if (!(start >= 1990 && start <= 2100)) return null;
  return `${start}-${String((start + 1) % 100).padStart(2, '0')}`;
}

/** The first day of the year before a date: 2014-04-01 -> 2013-04-01 (29 February -> 1 March). */
export function yearBefore(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() - 1);
  return d.toISOString().slice(0, 10);
}

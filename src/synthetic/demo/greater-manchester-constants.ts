import { divisionsOf } from '../../domain/reference-areas';
import type { SeededRandom } from '../seeded-random';

// The frame of the Greater Manchester demonstration history: its area, divisions and dates.

export const GM = 'greater-manchester';

export const GM_DIVISIONS: readonly string[] = divisionsOf(GM) ?? [];

/** A Greater Manchester division other than `current` (a move must change the division). */
export const otherDivision = (random: SeededRandom, current: string | null): string => random.pick(GM_DIVISIONS.filter((d) => d !== current));

/** The first date of the history: several years of MAPPA management before the report year. */
export const HISTORY_FROM = '2007-01-01';

/** Report year 2014/15 (DOMAIN.md 6): P runs from 1 April 2014 to S, 31 March 2015. */
export const YEAR_FROM = '2014-04-01';
export const SNAPSHOT = '2015-03-31';
/** The day before P (6.8 outstandingAtStart). */
export const DAY_BEFORE_YEAR = '2014-03-31';

/** The last date of an event's arrival (well before the decider's "today" of the tests). */
export const RECORDED_BY = '2015-12-31';

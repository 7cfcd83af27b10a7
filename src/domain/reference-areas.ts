// Reference data of DOMAIN.md section 2: the 42 MAPPA areas and the police divisions configured for each.

/** The national aggregate of the 42 areas (reports only; never an offender's area). */
export const ENGLAND_AND_WALES = 'england-and-wales';

/** The 42 MAPPA areas with the names they are published under, in alphabetical order of id. */
export const AREA_NAMES = {
  'avon-and-somerset': 'Avon and Somerset',
  bedfordshire: 'Bedfordshire',
  cambridgeshire: 'Cambridgeshire',
  cheshire: 'Cheshire',
  cleveland: 'Cleveland',
  cumbria: 'Cumbria',
  derbyshire: 'Derbyshire',
  'devon-and-cornwall': 'Devon and Cornwall',
  dorset: 'Dorset',
  durham: 'Durham',
  'dyfed-powys': 'Dyfed-Powys',
  essex: 'Essex',
  gloucestershire: 'Gloucestershire',
  'greater-manchester': 'Greater Manchester',
  gwent: 'Gwent',
  hampshire: 'Hampshire',
  hertfordshire: 'Hertfordshire',
  humberside: 'Humberside',
  kent: 'Kent',
  lancashire: 'Lancashire',
  leicestershire: 'Leicestershire',
  lincolnshire: 'Lincolnshire',
  london: 'London',
  merseyside: 'Merseyside',
  norfolk: 'Norfolk',
  'north-wales': 'North Wales',
  'north-yorkshire': 'North Yorkshire',
  northamptonshire: 'Northamptonshire',
  northumbria: 'Northumbria',
  nottinghamshire: 'Nottinghamshire',
  'south-wales': 'South Wales',
  'south-yorkshire': 'South Yorkshire',
  staffordshire: 'Staffordshire',
  suffolk: 'Suffolk',
  surrey: 'Surrey',
  sussex: 'Sussex',
  'thames-valley': 'Thames Valley',
  warwickshire: 'Warwickshire',
  'west-mercia': 'West Mercia',
  'west-midlands': 'West Midlands',
  'west-yorkshire': 'West Yorkshire',
  wiltshire: 'Wiltshire',
} as const;

export type AreaId = keyof typeof AREA_NAMES;

/** The 42 area ids, in alphabetical order (the order of the national report's rows). */
export const AREAS: readonly AreaId[] = Object.keys(AREA_NAMES) as AreaId[];

const AREA_SET: ReadonlySet<string> = new Set(AREAS);

/** Whether `id` is one of the 42 MAPPA areas (not `england-and-wales`, which is no offender's area). */
export const isArea = (id: unknown): id is AreaId => typeof id === 'string' && AREA_SET.has(id);

/** Divisions configured per area, in the order the area's published report lists them. */
const DIVISIONS: Partial<Record<AreaId, readonly string[]>> = {
  // Order of the "Number of RSOs per Division" table of the Greater Manchester report 2014/15.
  'greater-manchester': ['north-manchester', 'salford', 'tameside', 'wigan', 'bury', 'rochdale', 'oldham', 'trafford', 'bolton', 'stockport', 'south-manchester'],
};

/** The divisions configured for an area, or null when it has none (then any well-formed id is accepted). */
export const divisionsOf = (area: string): readonly string[] | null => (isArea(area) ? (DIVISIONS[area] ?? null) : null);

/** Rows of the division table (DOMAIN.md 6.10) that a division id must not be mistaken for. */
export const RESERVED_DIVISION_IDS: readonly string[] = ['unassigned', 'total'];

const KEBAB_CASE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** A lower-kebab-case id of at most 64 characters that is not a report row name. */
export const isWellFormedDivision = (division: unknown): division is string =>
  typeof division === 'string' && division.length <= 64 && KEBAB_CASE.test(division) && !RESERVED_DIVISION_IDS.includes(division);

/** Whether `division` may be recorded for `area`: configured there, or well-formed if the area has none configured. */
export function isValidDivision(area: string, division: unknown): boolean {
  if (!isWellFormedDivision(division)) return false;
  const configured = divisionsOf(area);
  return configured === null || configured.includes(division);
}

/** Display name of an area (or of `england-and-wales`); an unknown id is returned as given. */
export function areaName(id: string): string {
  if (id === ENGLAND_AND_WALES) return 'England and Wales';
  return isArea(id) ? AREA_NAMES[id] : id;
}

/** Display name of a division: its id in title case ("north-manchester" -> "North Manchester"). */
export const divisionName = (division: string): string =>
  division
    .split('-')
    .map((word) => (word === 'and' || word === 'of' ? word : word.charAt(0).toUpperCase() + word.slice(1)))
    .join(' ');

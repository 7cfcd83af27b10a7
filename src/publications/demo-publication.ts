import type { INestApplicationContext } from '@nestjs/common';
import published from '../../reference/published/greater-manchester-2014-15.json';
import { LOCAL_OPERATOR } from '../auth/principal';
import { publishedFiguresFile } from './published-figures-file';
import { Publications, type PublicationDetail } from './publications';
import { RevisionsService, type Revisions } from './revisions';

/** Before the late-recorded events of the year arrived (the demo's "as known on 30 April 2015"). */
export const DEMO_EARLIER_MOMENT = '2015-04-30T23:59:59.000Z';

/** `mappa demo` (issue 14.2, 14.3): the 2014/15 publication as printed, so the seed's two inconsistencies show as failed checks, then its revision. */
export async function demoPublication(app: INestApplicationContext, log: (line: string) => void): Promise<{ publication: PublicationDetail; revisions: Revisions }> {
  const publications = app.get(Publications);
  const publication = await publications.publish({
    caller: LOCAL_OPERATOR,
    area: 'greater-manchester',
    year: 2014,
    knowledge: {},
    figures: publishedFiguresFile(published, 'greater-manchester', 2014),
  });
  const failed = publication.figureChecks.filter((c) => !c.ok);
  log(
    `Recorded publication:${publication.id} of greater-manchester 2014/15 at position ${publication.position} with the figures as printed: ` +
      `${failed.length} of ${publication.figureChecks.length} checks fail (${failed.map((c) => c.id).join(', ')}), ${publication.differences.length} printed cell(s) differ from the events.`,
  );
  const from = { asked: DEMO_EARLIER_MOMENT, knowledge: { asKnownAt: new Date(DEMO_EARLIER_MOMENT) } };
  const to = {
    asked: `publication:${publication.id}`,
    knowledge: { atPosition: BigInt(publication.position) },
    publication: { id: publication.id, publishedOn: publication.publishedOn },
  };
  const revisions = await app.get(RevisionsService).revisions('greater-manchester', 2014, from, to, 'counts');
  const cells = revisions.cells.map(
    (c) =>
      `${c.cellId} ${c.from} -> ${c.to} (${Object.entries(c.causes)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')})`,
  );
  log(`Revised between ${DEMO_EARLIER_MOMENT} and publication:${publication.id}: ${cells.length} cell(s)${cells.length ? `: ${cells.join('; ')}` : ''}.`);
  return { publication, revisions };
}

// The area's publications of every report year: choosing one shows its report as known when it was published.
import type { Publication } from './types';

export function PublicationsList(props: { area: string; publications: Publication[]; chosen: Publication | null; onChoose: (p: Publication) => void }) {
  const { area, publications, chosen, onChoose } = props;
  if (publications.length === 0) return null;
  // Newest report year first, each year's publications in the order published.
  const listed = [...publications].sort((a, b) => b.year.localeCompare(a.year) || a.publishedOn.localeCompare(b.publishedOn) || Number(a.id) - Number(b.id));
  return (
    <section class="publications" aria-labelledby="publications-heading">
      <h2 id="publications-heading">Publications of {area}</h2>
      <ul data-testid="publications">
        {listed.map((p) => (
          <li key={p.id} class={chosen?.id === p.id ? 'chosen' : undefined}>
            <strong>{p.year}</strong> report, published on {p.publishedOn} by {p.recordedBy.actor} ({p.recordedBy.agency}), at position {p.position}
            {p.figures.given
              ? `; the published figures: ${p.figures.failedChecks} of ${p.figures.checks} checks fail, ${p.figures.differences} cell(s) differ from the report computed then`
              : '; no published figures file given'}
            .{' '}
            <button type="button" class="small" onClick={() => onChoose(p)} aria-pressed={chosen?.id === p.id}>
              Show the {p.year} report as known when published on {p.publishedOn}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

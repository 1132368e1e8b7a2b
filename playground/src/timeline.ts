/** Time travel: the lenses as of a position (the live lens at the head), and a model's diff. */
import { byId, fill, h, table } from './dom.ts';
import type { Session } from './session.ts';

const cell = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v ?? ''));

/** Draws every lens of the domain as of `position` (`head`: what the app's lenses read now). */
export async function drawLenses(session: Session, position: number, head: number): Promise<void> {
  const view = position < head ? await session.traveler.at(position) : undefined;
  const tables: HTMLElement[] = [];
  for (const lens of session.domain.lenses) {
    const models: any[] = view
      ? view.query(lens.perspective)
      : await session.app.lens(lens.perspective).query();
    tables.push(
      h(
        'div',
        { 'data-lens': lens.label },
        table(
          lens.label,
          lens.columns,
          models.map((m) => lens.columns.map((c) => cell(m[c]))),
        ),
      ),
    );
  }
  // the label last, with the tables: what it says is what they show
  fill(byId('lenses'), ...tables);
  byId('position-label').textContent =
    view === undefined
      ? `Now: position ${head}, the lenses as the app reads them.`
      : `As of position ${position} of ${head}${
          view.event
            ? `, after ${view.event.type} on ${view.event.streamId}`
            : ', before the first event'
        }.`;
}

/** Fills the diff pane's perspective picker. */
export function fillDiff(session: Session, head: number): void {
  const select = byId<HTMLSelectElement>('diff-lens');
  if (select.options.length !== session.domain.lenses.length)
    fill(select, ...session.domain.lenses.map((l) => h('option', { value: l.label }, l.label)));
  for (const id of ['diff-from', 'diff-to']) byId<HTMLInputElement>(id).max = String(head);
}

/** Offers the ids of the chosen perspective's models in the diff pane. */
export async function fillDiffIds(session: Session): Promise<void> {
  const lens = session.domain.lenses.find(
    (l) => l.label === byId<HTMLSelectElement>('diff-lens').value,
  );
  if (!lens) return;
  const models = await session.app.lens(lens.perspective).query();
  const ids = models.map((m) => lens.idOf(m));
  fill(byId('diff-ids'), ...ids.map((id) => h('option', { value: id })));
}

/** Diffs the chosen model between the two positions, without moving the traveler. */
export async function runDiff(session: Session): Promise<void> {
  const out = byId('diff-out');
  const lens = session.domain.lenses.find(
    (l) => l.label === byId<HTMLSelectElement>('diff-lens').value,
  );
  const id = byId<HTMLInputElement>('diff-id').value.trim();
  const from = Number(byId<HTMLInputElement>('diff-from').value);
  const to = Number(byId<HTMLInputElement>('diff-to').value);
  if (!lens || id === '') {
    fill(out, h('p', { class: 'error', role: 'alert' }, 'Choose a perspective and a model id.'));
    return;
  }
  try {
    const diff = await session.traveler.diff(lens.perspective, id, from, to);
    const rows = diff.changes.map((c) => [
      c.path.map(String).join('.') || '(the model)',
      c.kind,
      'before' in c ? cell(c.before) : '',
      'after' in c ? cell(c.after) : '',
    ]);
    fill(
      out,
      table(
        `${lens.label} "${id}" from ${diff.from} to ${diff.to}`,
        ['field', 'change', 'before', 'after'],
        rows,
        'no change.',
      ),
    );
  } catch (error) {
    fill(out, h('p', { class: 'error', role: 'alert' }, String((error as Error).message)));
  }
}

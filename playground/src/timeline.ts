/** Time travel: which position the lenses show, and a model's diff. */

import type { TimeView } from '../../js/timetravel/mod.ts';
import { byId, fill, h, table } from './dom.ts';
import type { Session } from './session.ts';

const cell = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v ?? ''));

/** Says which position the lenses show: `view` when the slider pins one, else the head. */
export function drawPosition(view: TimeView | undefined, position: number, head: number): void {
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

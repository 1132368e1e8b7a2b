/** The flow panel: the correlations dispatched in this tab, and the flow of the one chosen. */
import type { RecordedEvent } from '../../js/mod.ts';
import { byId, fill, h } from './dom.ts';
import { drawFlow } from './flow.ts';
import { flowsOf, treeOf } from './log-flows.ts';
import type { Session } from './session.ts';

/** The flow picker and the drawing of the chosen flow. */
export class FlowPanel {
  /** Correlations dispatched in this tab, newest first. */
  #flows: { id: string; label: string }[] = [];
  readonly #session: () => Session;

  /** `session` gives the session open now. */
  constructor(session: () => Session) {
    this.#session = session;
  }

  /** Adds a correlation to the picker, first. */
  add(id: string, label: string): void {
    this.#flows = [{ id, label }, ...this.#flows];
  }

  /** Forgets every correlation (a new session). */
  clear(): void {
    this.#flows = [];
  }

  /**
   * A log the page follows: its newest correlations, rebuilt from the events (`log-flows.ts`);
   * the newest is drawn, or the one the visitor picked.
   */
  fromLog(events: readonly RecordedEvent[]): void {
    this.#events = events;
    this.#flows = flowsOf(events);
    const picked = this.#picked;
    this.draw(this.#flows.some((f) => f.id === picked) ? picked : this.#flows[0]?.id);
  }

  #events: readonly RecordedEvent[] = [];
  #picked: string | undefined;

  /** Fills the picker and draws the flow of `chosen` (none: a hint). */
  draw(chosen: string | undefined): void {
    const session = this.#session();
    const select = byId<HTMLSelectElement>('flow-of');
    fill(select, ...this.#flows.map((f) => h('option', { value: f.id }, f.label)));
    if (chosen) select.value = chosen;
    const tree = chosen
      ? (session.trace.chain(chosen) ??
        (session.readOnly ? treeOf(chosen, this.#events) : undefined))
      : undefined;
    if (tree === undefined) {
      fill(byId('flow'), h('p', { class: 'empty' }, 'Send a command to see its flow.'));
      fill(byId('flow-details'));
      return;
    }
    drawFlow(byId('flow'), byId('flow-details'), tree, [...session.app.perspectives.values()]);
    fill(
      byId('flow-details'),
      h('p', { class: 'hint' }, 'Choose a node (click, or Tab and Enter).'),
    );
  }

  /** Draws the flow picked in the picker. */
  wire(): void {
    byId('flow-of').addEventListener('change', (e) => {
      this.#picked = (e.target as HTMLSelectElement).value;
      this.draw(this.#picked);
    });
  }
}

/**
 * The lenses panel: one table per lens of the domain, each drawn by a live lens. At the head the
 * app's lenses answer (and again after each change: a command here, another tab, a sync round, an
 * async perspective); with the time slider moved back, the time traveler's lenses do, pinned to
 * where it is (they answer again when it moves). Nothing here reads a lens again by itself.
 */
import type { LiveLens } from '../../js/mod.ts';
import { byId, fill, h, table } from './dom.ts';
import type { LensSpec } from './domains/types.ts';
import type { Session } from './session.ts';

const cell = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v ?? ''));

/** The lens's columns, else the keys its models have (in the order first seen). */
const columnsOf = (spec: LensSpec, models: readonly any[]): readonly string[] =>
  spec.columns ?? [
    ...new Set(models.slice(0, 50).flatMap((m) => (typeof m === 'object' ? Object.keys(m) : []))),
  ];

function drawTable(spec: LensSpec, models: readonly any[]): HTMLElement {
  const columns = columnsOf(spec, models);
  return h(
    'div',
    { 'data-lens': spec.label },
    table(
      spec.label,
      columns,
      models.map((m) => columns.map((c) => cell(m[c]))),
    ),
  );
}

/** The live lenses drawn in the panel, and whose they are. */
export class LensesPanel {
  #stops: (() => void)[] = [];
  #mode: 'head' | 'pinned' | undefined;
  readonly #changed: () => void;

  /** `changed` is called when a live lens at the head answers anew (after its first answer). */
  constructor(changed: () => void) {
    this.#changed = changed;
  }

  /**
   * Draws the lenses of `session` as the app reads them (`pinned` false) or as of where its time
   * traveler is (`pinned` true); resolves once each has answered. Following already: no change.
   */
  follow(session: Session, pinned: boolean): Promise<void> {
    const mode = pinned ? 'pinned' : 'head';
    if (this.#mode === mode) return Promise.resolve();
    this.stop();
    this.#mode = mode;
    const specs = session.domain.lenses;
    const slots = specs.map((spec) => drawTable(spec, []));
    fill(byId('lenses'), ...slots);
    return new Promise((resolve) => {
      let waiting = specs.length;
      specs.forEach((spec, i) => {
        const lens: LiveLens<any> = pinned
          ? session.traveler.lens(spec.perspective)
          : session.app.lens(spec.perspective);
        let first = true;
        const answered = (): void => {
          if (!first) return;
          first = false;
          if (--waiting === 0) resolve();
        };
        const stop = lens.live(
          {},
          (models) => {
            const drawn = drawTable(spec, models);
            slots[i]!.replaceWith(drawn);
            slots[i] = drawn;
            if (first) answered();
            else if (!pinned) this.#changed();
          },
          {
            onError: (error) => {
              byId('status').textContent = `${spec.label}: ${(error as Error).message}`;
              answered(); // the page goes on without it
            },
          },
        );
        this.#stops.push(stop);
      });
      if (waiting === 0) resolve();
    });
  }

  /** Stops every live lens of the panel (a session closing, or the other mode). */
  stop(): void {
    for (const stop of this.#stops.splice(0)) stop();
    this.#mode = undefined;
  }
}

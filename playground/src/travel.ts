/**
 * Where the page stands in the ledger: the events read last, the head, and the position the time
 * slider pins (none: the page follows the head).
 */
import type { RecordedEvent } from '../../js/mod.ts';
import { byId } from './dom.ts';

/** The events read last and the position shown. */
export class Travel {
  #events: RecordedEvent[] = [];
  #head = 0;
  #pinned: number | undefined;

  /** Every event, as read last. */
  get events(): readonly RecordedEvent[] {
    return this.#events;
  }

  /** The last event's position (0 for an empty ledger). */
  get head(): number {
    return this.#head;
  }

  /** The position shown: the pinned one, or the head. */
  get at(): number {
    return this.#pinned ?? this.#head;
  }

  /** The ledger was read again: a pin at or past the new head follows it from now on. */
  read(events: RecordedEvent[]): void {
    this.#events = events;
    this.#head = events.at(-1)?.position ?? 0;
    if (this.#pinned !== undefined && this.#pinned >= this.#head) this.#pinned = undefined;
  }

  /** Follows the head from now on. */
  follow(): void {
    this.#pinned = undefined;
  }

  /** Moves to `p`, clamped to the ledger; the head means "now". */
  moveTo(p: number): void {
    const at = Math.max(0, Math.min(this.#head, p));
    this.#pinned = at >= this.#head ? undefined : at;
  }

  /** Sets the time slider to the position shown. */
  drawSlider(): void {
    const slider = byId<HTMLInputElement>('position');
    slider.max = String(this.#head);
    slider.value = String(this.at);
    slider.setAttribute('aria-valuetext', `position ${this.at} of ${this.#head}`);
  }
}

/**
 * The sync panel: connects the open domain to a NATS server over WebSocket, says how the rounds
 * go, and shows the pending commits and the conflicts read from the local store (offline too).
 * The NATS client is loaded only on Connect: the offline page does without it.
 */
import { isWhizbangError } from '../../js/mod.ts';
import type { SyncReport } from '../../js/sync/mod.ts';
import { brief, byId, fill, h } from './dom.ts';
import { exclusive } from './queue.ts';
import type { Session } from './session.ts';
import type { Connection } from './sync.ts';

const SYNC_URL = 'whizbang-playground-sync-url';

const message = (error: unknown): string =>
  `${(error as Error)?.message ?? String(error)}${isWhizbangError(error) ? ` (${error.code})` : ''}`;

/** The sync connection, while connected, and what its rounds did. */
export class SyncPanel {
  #link: Connection | undefined;
  #rounds = 0;
  /** The last round that exchanged anything, and when. */
  #exchanged: { report: SyncReport; at: Date } | undefined;
  readonly #session: () => Session;
  readonly #refresh: () => Promise<void>;

  /** `session` gives the session open now; `refresh` redraws the page after a round. */
  constructor(session: () => Session, refresh: () => Promise<void>) {
    this.#session = session;
    this.#refresh = refresh;
  }

  /** The pending count and the conflicts list, read from the local store (offline too). */
  async draw(): Promise<void> {
    const session = this.#session();
    const [pending, conflicts] = await Promise.all([session.pending(), session.conflicts()]);
    const count = byId('sync-pending');
    count.dataset.count = String(pending.length);
    count.textContent =
      pending.length === 0
        ? 'Pending: none — every local commit is on the shared log, or none was made.'
        : `Pending: ${pending.length} local commit${pending.length === 1 ? '' : 's'} waiting to be pushed (${pending.map((p) => p.command?.type ?? 'events').join(', ')}).`;
    fill(
      byId('sync-conflicts'),
      conflicts.length === 0
        ? h('li', { class: 'empty' }, 'None.')
        : conflicts.map((c) => {
            const what = c.command
              ? `${c.command.type} ${brief(c.command.data, 60)}`
              : `${c.events?.length ?? 0} events published`;
            return h(
              'li',
              { 'data-conflict': c.id },
              h('strong', {}, what),
              ` on ${c.streamId}, refused when decided again: `,
              h('span', { class: 'error' }, c.message),
              h(
                'button',
                {
                  type: 'button',
                  class: 'secondary',
                  'aria-label': `Dismiss the conflict of ${what}`,
                  onclick: () =>
                    void exclusive(async () => {
                      await this.#session().dismiss(c.id);
                      await this.draw();
                    }),
                },
                'Dismiss',
              ),
            );
          }),
    );
  }

  /** Connects the open domain to the server at the URL field's address. */
  connect(): Promise<void> {
    const url = byId<HTMLInputElement>('sync-url').value.trim();
    localStorage.setItem(SYNC_URL, url);
    return exclusive(async () => {
      if (this.#link !== undefined) return;
      byId<HTMLButtonElement>('sync-connect').disabled = true;
      this.#status(`Connecting to ${url}…`, 'offline');
      this.#rounds = 0;
      this.#exchanged = undefined;
      let opened: Connection | undefined;
      try {
        const { connectSync } = await import('./sync.ts');
        opened = await connectSync(this.#session(), url, {
          onRound: (report) => this.#roundDone(opened!, report),
          onError: (error) => {
            if (this.#link !== opened) return;
            this.#status(
              `Connected to ${url}, but the last round failed: ${message(error)}. Retrying; local commits wait as pending.`,
              'error',
            );
          },
          onConflict: () => undefined, // the round's report and the list below say it
        });
        this.#link = opened;
        this.#showConnected();
      } catch (error) {
        this.#status(
          `Could not connect to ${url}: ${message(error)}. The page goes on offline; local commits wait as pending.`,
          'error',
        );
      }
    });
  }

  /** Stops syncing (inside `exclusive`); local commits wait as pending from then on. */
  async disconnect(why: string): Promise<void> {
    const closing = this.#link;
    if (closing === undefined) return;
    this.#link = undefined;
    try {
      await closing.close();
    } finally {
      this.#status(
        `Offline (${why}). Local commits wait as pending until you connect again.`,
        'offline',
      );
    }
  }

  /** Restores the URL used last, and listens to the panel's controls. */
  wire(): void {
    const url = localStorage.getItem(SYNC_URL);
    if (url) byId<HTMLInputElement>('sync-url').value = url;
    byId('sync-connect').addEventListener('click', () => void this.connect());
    byId('sync-url').addEventListener('keydown', (e) => {
      if ((e as KeyboardEvent).key === 'Enter') void this.connect();
    });
    byId('sync-disconnect').addEventListener('click', () =>
      exclusive(() => this.disconnect('disconnected')),
    );
  }

  #status(text: string, state: 'offline' | 'connected' | 'error'): void {
    const el = byId('sync-status');
    el.textContent = text;
    el.dataset.state = state;
    el.classList.toggle('error', state === 'error');
    byId<HTMLButtonElement>('sync-connect').disabled = this.#link !== undefined;
    byId<HTMLButtonElement>('sync-disconnect').disabled = this.#link === undefined;
  }

  #showConnected(): void {
    const link = this.#link;
    if (link === undefined) return;
    const exchanged = this.#exchanged;
    const last =
      exchanged === undefined
        ? 'Nothing exchanged yet.'
        : `Last exchange at ${exchanged.at.toLocaleTimeString()}: pulled ${exchanged.report.pulled}, pushed ${exchanged.report.pushed}, redecided ${exchanged.report.redecided}, conflicts ${exchanged.report.conflicts}.`;
    this.#status(
      `Connected to ${link.url} (shared log ${link.stream}), ${this.#rounds} rounds. ${last}`,
      'connected',
    );
  }

  #roundDone(from: Connection, report: SyncReport): void {
    if (this.#link !== from) return;
    this.#rounds++;
    const moved =
      report.pulled + report.pushed + report.confirmed + report.redecided + report.conflicts > 0;
    if (moved) this.#exchanged = { report, at: new Date() };
    this.#showConnected();
    // what others wrote (or a decision made again) changes the tables; a push, the pending count
    if (moved) void this.#refresh();
  }
}

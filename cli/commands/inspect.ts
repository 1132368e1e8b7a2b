/**
 * `whizbang inspect`: what a log holds — streams, events by type, the head, tenants — and, where the
 * backend keeps them, perspectives with their checkpoints and lag, the outbox, and offline sync's
 * pending commits.
 */
import type { Ledger } from '../../js/mod.ts';
import type { Summary, Target } from '../backend.ts';
import { readPages } from '../read.ts';
import { aligned } from '../table.ts';

/** What `inspect` reports (its `--json` form). */
export interface Inspection extends Summary {
  /** `'sqlite'`, `'postgres'` or `'jetstream'`. */
  readonly backend: string;
  /** Perspectives with checkpoint and lag (events behind the head); absent where none are kept. */
  readonly perspectives?: ReadonlyArray<{ perspective: string; checkpoint: number; lag: number }>;
  /** The outbox: waiting, dead letters, inbox ids; absent where there is none. */
  readonly outbox?: {
    readonly pending: number;
    readonly deadLetters: number;
    readonly inbox: number;
  };
  /** Offline sync's commits not yet in the shared log (0 when the store never synced). */
  readonly pendingSyncCommits?: number;
}

// where offline sync keeps its pending commits in a replica's store (whizbang/sync)
const PENDING = 'whizbang.sync.pending';
const SYNC_TENANT = 'whizbang.sync';

/** Totals by reading the whole log, for a backend without SQL. */
async function scan(ledger: Ledger): Promise<Summary> {
  const types = new Map<string, number>();
  const tenants = new Map<string, { events: number; streams: Set<string> }>();
  let events = 0;
  let head = 0;
  for await (const page of readPages(ledger, {})) {
    for (const e of page) {
      events++;
      head = e.position;
      types.set(e.type, (types.get(e.type) ?? 0) + 1);
      let t = tenants.get(e.tenant);
      if (t === undefined) {
        t = { events: 0, streams: new Set() };
        tenants.set(e.tenant, t);
      }
      t.events++;
      t.streams.add(e.streamId);
    }
  }
  return {
    events,
    head,
    streams: [...tenants.values()].reduce((n, t) => n + t.streams.size, 0),
    types: [...types]
      .map(([type, n]) => ({ type, events: n }))
      .sort((a, b) => b.events - a.events || (a.type < b.type ? -1 : 1)),
    tenants: [...tenants]
      .map(([tenant, t]) => ({ tenant, events: t.events, streams: t.streams.size }))
      .sort((a, b) => (a.tenant < b.tenant ? -1 : 1)),
  };
}

/** Gathers the inspection. */
export async function inspect(target: Target): Promise<Inspection> {
  const summary = (await target.summary()) ?? (await scan(target.ledger));
  const checkpoints = await target.checkpoints();
  const outbox = await target.outbox();
  const pending =
    target.kind === 'jetstream'
      ? undefined
      : (await target.store.query(PENDING, SYNC_TENANT, {})).length;
  return {
    backend: target.kind,
    ...summary,
    ...(checkpoints === undefined
      ? {}
      : {
          perspectives: checkpoints.map((c) => ({
            perspective: c.perspective,
            checkpoint: c.position,
            lag: Math.max(0, summary.head - c.position),
          })),
        }),
    ...(outbox === undefined
      ? {}
      : {
          outbox: { pending: outbox.outbox, deadLetters: outbox.deadLetters, inbox: outbox.inbox },
        }),
    ...(pending === undefined ? {} : { pendingSyncCommits: pending }),
  };
}

/** The inspection as text for a terminal. */
export function describe(i: Inspection): string {
  const lines = [
    `backend   ${i.backend}`,
    `head      ${i.head}`,
    `events    ${i.events}`,
    `streams   ${i.streams}`,
    '',
    'events by type',
    i.types.length === 0 ? '  (none)' : aligned(i.types.map((t) => [t.type, String(t.events)])),
    '',
    'tenants',
    i.tenants.length === 0
      ? '  (none)'
      : aligned(i.tenants.map((t) => [t.tenant, `${t.events} events`, `${t.streams} streams`])),
  ];
  if (i.perspectives !== undefined) {
    lines.push(
      '',
      'perspectives (checkpoint, lag)',
      i.perspectives.length === 0
        ? '  (none)'
        : aligned(i.perspectives.map((p) => [p.perspective, String(p.checkpoint), `lag ${p.lag}`])),
    );
  }
  if (i.outbox !== undefined) {
    lines.push(
      '',
      `outbox    ${i.outbox.pending} waiting, ${i.outbox.deadLetters} dead letters, ${i.outbox.inbox} inbox ids`,
    );
  }
  if (i.pendingSyncCommits !== undefined) {
    lines.push(`sync      ${i.pendingSyncCommits} pending commits`);
  }
  return `${lines.join('\n')}\n`;
}

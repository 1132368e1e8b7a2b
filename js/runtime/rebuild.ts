/**
 * Rebuilding a perspective: its models are deleted and every event applied again. An inline one is
 * rebuilt behind the append gate (appends wait); an async one restarts from position 1.
 */
import type { Ledger } from '../contracts/ledger.ts';
import type { PerspectiveStore } from '../contracts/store.ts';
import type { Perspective } from '../definitions/perspective.ts';
import type { Committer } from './commit.ts';
import { applyEvents } from './project.ts';
import type { Projectors } from './projectors.ts';

/** Events applied per store transaction while rebuilding. */
const PAGE = 1000;

/** What a rebuild works with. */
export interface RebuildParts {
  readonly ledger: Ledger;
  readonly store: PerspectiveStore;
  readonly commit: Committer;
  readonly projectors: Projectors;
}

/** Deletes a perspective's models and applies every event again. */
export async function rebuild(p: Perspective, parts: RebuildParts): Promise<void> {
  const { ledger, store } = parts;
  const runners = parts.projectors.of(p.name);
  if (runners.length > 0) {
    // shared by several instances and run by another: its owner finds the checkpoint moved back
    // (its next batch is refused) and starts again from the beginning
    const here = runners.filter((r) => r.running);
    await Promise.all(runners.map((r) => r.stop()));
    await store.clear(p.name);
    for (const r of runners) if (r.checkpoint !== p.name) await store.clear(r.checkpoint);
    for (const r of here) r.start();
    const head = await ledger.headPosition();
    await Promise.all(runners.map((r) => r.waitFor(head)));
    parts.commit.changes.all(p.name);
    return;
  }
  const reopen = parts.commit.closeFor(p);
  try {
    await store.clear(p.name);
    let from = 1;
    for (;;) {
      const head = await ledger.headPosition();
      if (from > head) break;
      const batch = await ledger.readAll({ from, to: head, limit: PAGE, types: [...p.types] });
      const through = batch.length === PAGE ? batch[batch.length - 1]!.position : head;
      await store.transaction((tx) => applyEvents([p], batch, tx, through));
      from = through + 1;
    }
  } finally {
    reopen();
    parts.commit.changes.all(p.name);
  }
}

/**
 * The page's status line, and the one queue its work runs through: redraws happen in order, and
 * none runs on a session that a domain switch or a reset is closing.
 */
import { byId } from './dom.ts';

/** Shows `text` in the status line. */
export function status(text: string): void {
  byId('status').textContent = text;
}

let queue: Promise<void> = Promise.resolve();

/** Runs `work` after everything queued before it. A failure is shown, never thrown. */
export function exclusive(work: () => Promise<void>): Promise<void> {
  queue = queue.then(() =>
    work().catch((error: unknown) => status(`Error: ${(error as Error).message}`)),
  );
  return queue;
}

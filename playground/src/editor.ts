/**
 * The editor pane: a visitor writes a perspective in JavaScript and runs it over the ledger, in a
 * Worker that is thrown away when it errs or runs too long, so no snippet can break the page.
 */
import type { RecordedEvent } from '../../js/mod.ts';
import { h } from './dom.ts';

export const SAMPLE = `// A perspective of your own, run over this ledger's events in a Worker.
// key(event): which model an event belongs to (default: its stream).
function key(event) {
  return event.type;
}
const initial = { count: 0, last: null };
function apply(model, event) {
  return { count: model.count + 1, last: event.position };
}
`;

/** What a run gave: the models, or the error. */
export type RunResult =
  | { readonly ok: true; readonly applied: number; readonly models: Record<string, unknown> }
  | { readonly ok: false; readonly name: string; readonly message: string };

/** How long a snippet may run before its Worker is stopped. */
const LIMIT_MS = 2000;

/** Runs `code` over `events` in a fresh Worker. */
export function runSnippet(code: string, events: readonly RecordedEvent[]): Promise<RunResult> {
  const worker = new Worker(new URL('./sandbox-worker.ts', import.meta.url), { type: 'module' });
  return new Promise<RunResult>((resolve) => {
    const done = (result: RunResult): void => {
      clearTimeout(timer);
      worker.terminate();
      resolve(result);
    };
    const timer = setTimeout(
      () =>
        done({
          ok: false,
          name: 'Timeout',
          message: `Stopped after ${LIMIT_MS / 1000} s (an endless loop?).`,
        }),
      LIMIT_MS,
    );
    worker.addEventListener('message', (e) => done(e.data as RunResult));
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      done({ ok: false, name: 'Error', message: e.message || 'The snippet could not run.' });
    });
    worker.postMessage({ code, events: JSON.parse(JSON.stringify(events)) });
  });
}

/** The result as the pane shows it. */
export function showResult(output: HTMLElement, result: RunResult): void {
  if (!result.ok) {
    output.replaceChildren(
      h('p', { class: 'error', role: 'alert' }, `${result.name}: ${result.message}`),
      h('p', {}, 'The page is fine: the snippet ran in a Worker, which was stopped.'),
    );
    return;
  }
  output.replaceChildren(
    h(
      'p',
      { role: 'status' },
      `Applied ${result.applied} events; ${Object.keys(result.models).length} models.`,
    ),
    h('pre', { class: 'json' }, JSON.stringify(result.models, null, 2)),
  );
}

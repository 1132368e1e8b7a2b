/**
 * The playground page: pick a sample domain, send commands from generated forms, read the ledger,
 * travel in time, follow the message flow, and run a perspective of one's own. Everything runs in
 * this tab, on IndexedDB; nothing needs a server. Optionally, the sync panel connects to a NATS
 * server over WebSocket and syncs the domain with other tabs and browsers.
 */

import type { RecordedEvent } from '../../js/mod.ts';
import { isValidationError, isWhizbangError, uuidv7 } from '../../js/mod.ts';
import type { SyncReport } from '../../js/sync/mod.ts';
import { brief, byId, fill, h } from './dom.ts';
import { bank } from './domains/bank.ts';
import { todo } from './domains/todo.ts';
import type { CommandSpec, Domain } from './domains/types.ts';
import { runSnippet, SAMPLE, showResult } from './editor.ts';
import { drawFlow } from './flow.ts';
import { type CommandForm, commandForm, loadFaker } from './forms.ts';
import { drawLedger, exportJson, fillFilters } from './ledger-view.ts';
import { deleteDatabase, openSession, type Session } from './session.ts';
import type { Connection } from './sync.ts';
import { drawLenses, fillDiff, fillDiffIds, runDiff } from './timeline.ts';

const DOMAINS: readonly Domain[] = [bank, todo];
const CHOSEN = 'whizbang-playground-domain';
const SYNC_URL = 'whizbang-playground-sync-url';

let session: Session;
let all: RecordedEvent[] = [];
let head = 0;
/** The position shown; `undefined` follows the head. */
let pinned: number | undefined;
let form: CommandForm | undefined;
/** Correlations dispatched in this tab, newest first, for the flow picker. */
let flows: { id: string; label: string }[] = [];
/** The sync connection, while connected. */
let link: Connection | undefined;
let rounds = 0;
/** The last round that exchanged anything, and when. */
let exchanged: { report: SyncReport; at: Date } | undefined;

const status = (text: string): void => {
  byId('status').textContent = text;
};
const position = (): number => pinned ?? head;

let queue: Promise<void> = Promise.resolve();
/**
 * Runs `work` after everything queued before it: redraws happen in order, and none runs on a
 * session that a domain switch or a reset is closing. A failure is shown, never thrown.
 */
function exclusive(work: () => Promise<void>): Promise<void> {
  queue = queue.then(() =>
    work().catch((error: unknown) => status(`Error: ${(error as Error).message}`)),
  );
  return queue;
}

/** Reads the ledger again and redraws what depends on it. */
const refresh = (): Promise<void> => exclusive(redraw);

async function redraw(): Promise<void> {
  all = await session.events();
  head = all.at(-1)?.position ?? 0;
  if (pinned !== undefined && pinned >= head) pinned = undefined;
  const slider = byId<HTMLInputElement>('position');
  slider.max = String(head);
  slider.value = String(position());
  slider.setAttribute('aria-valuetext', `position ${position()} of ${head}`);
  fillFilters(all);
  fillDiff(session, head);
  await Promise.all([
    drawLedger(session, position()),
    drawLenses(session, position(), head),
    drawSync(),
  ]);
}

// ── sync ────────────────────────────────────────────────────────────────────────────────────────

const message = (error: unknown): string =>
  `${(error as Error)?.message ?? String(error)}${isWhizbangError(error) ? ` (${error.code})` : ''}`;

function syncStatus(text: string, state: 'offline' | 'connected' | 'error'): void {
  const el = byId('sync-status');
  el.textContent = text;
  el.dataset.state = state;
  el.classList.toggle('error', state === 'error');
  byId<HTMLButtonElement>('sync-connect').disabled = link !== undefined;
  byId<HTMLButtonElement>('sync-disconnect').disabled = link === undefined;
}

function showConnected(): void {
  if (link === undefined) return;
  const last =
    exchanged === undefined
      ? 'Nothing exchanged yet.'
      : `Last exchange at ${exchanged.at.toLocaleTimeString()}: pulled ${exchanged.report.pulled}, pushed ${exchanged.report.pushed}, redecided ${exchanged.report.redecided}, conflicts ${exchanged.report.conflicts}.`;
  syncStatus(
    `Connected to ${link.url} (shared log ${link.stream}), ${rounds} rounds. ${last}`,
    'connected',
  );
}

/** The pending count and the conflicts list, read from the local store (offline too). */
async function drawSync(): Promise<void> {
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
                    await session.dismiss(c.id);
                    await drawSync();
                  }),
              },
              'Dismiss',
            ),
          );
        }),
  );
}

function roundDone(from: Connection, report: SyncReport): void {
  if (link !== from) return;
  rounds++;
  const moved =
    report.pulled + report.pushed + report.confirmed + report.redecided + report.conflicts > 0;
  if (moved) exchanged = { report, at: new Date() };
  showConnected();
  // what others wrote (or a decision made again) changes the tables; a push, the pending count
  if (moved) void refresh();
}

/** Connects the open domain to the server at the URL field's address. */
function connect(): Promise<void> {
  const url = byId<HTMLInputElement>('sync-url').value.trim();
  localStorage.setItem(SYNC_URL, url);
  return exclusive(async () => {
    if (link !== undefined) return;
    byId<HTMLButtonElement>('sync-connect').disabled = true;
    syncStatus(`Connecting to ${url}…`, 'offline');
    rounds = 0;
    exchanged = undefined;
    let opened: Connection | undefined;
    try {
      // the NATS client is loaded only when connecting: the offline page does without it
      const { connectSync } = await import('./sync.ts');
      opened = await connectSync(session, url, {
        onRound: (report) => roundDone(opened!, report),
        onError: (error) => {
          if (link !== opened) return;
          syncStatus(
            `Connected to ${url}, but the last round failed: ${message(error)}. Retrying; local commits wait as pending.`,
            'error',
          );
        },
        onConflict: () => undefined, // the round's report and the list below say it
      });
      link = opened;
      showConnected();
    } catch (error) {
      syncStatus(
        `Could not connect to ${url}: ${message(error)}. The page goes on offline; local commits wait as pending.`,
        'error',
      );
    }
  });
}

/** Stops syncing (inside `exclusive`); local commits wait as pending from then on. */
async function disconnectNow(why: string): Promise<void> {
  const closing = link;
  if (closing === undefined) return;
  link = undefined;
  try {
    await closing.close();
  } finally {
    syncStatus(
      `Offline (${why}). Local commits wait as pending until you connect again.`,
      'offline',
    );
  }
}

/** Moves the time slider (clamped); the head means "now". */
async function travelTo(p: number): Promise<void> {
  const at = Math.max(0, Math.min(head, p));
  pinned = at >= head ? undefined : at;
  await refresh();
}

function drawDomainCard(domain: Domain): void {
  const list = (items: readonly (string | Node)[]): HTMLElement =>
    h('ul', { class: 'plain' }, ...items.map((i) => h('li', {}, i)));
  fill(
    byId('domain-card'),
    h('p', {}, domain.summary),
    h('h3', {}, 'Commands'),
    list(domain.commands.map((c) => `${c.definition.type}: ${c.summary}`)),
    h('h3', {}, 'Receptors'),
    list(domain.receptors.map((r) => `${r.command} → ${r.emits.join(' | ')} on ${r.stream}`)),
    h('h3', {}, 'Events'),
    list([domain.events.map((e) => e.type).join(', ')]),
    domain.reactions.length > 0 ? h('h3', {}, 'Sagas and handlers') : null,
    domain.reactions.length > 0 ? list(domain.reactions) : null,
    h('h3', {}, 'Perspectives and their lenses'),
    list(
      [...session.app.perspectives.values()].map(
        (p) => `${p.name} (${p.mode}): ${[...p.types].join(', ')}`,
      ),
    ),
  );
}

function chooseCommand(spec: CommandSpec): void {
  byId('command-summary').textContent = spec.summary;
  form = commandForm(spec, (data) => void send(spec, data));
  form.element.append(
    h(
      'div',
      { class: 'row' },
      h('button', { type: 'submit' }, 'Send'),
      h(
        'button',
        { type: 'button', class: 'secondary', onclick: () => void example(spec) },
        'Fill with an example',
      ),
    ),
  );
  fill(byId('form-host'), form.element);
  fill(byId('receipt'));
}

async function example(spec: CommandSpec): Promise<void> {
  const faker = await loadFaker();
  form?.fill(spec.example(faker, await session.domain.ids(session.app)));
}

async function send(spec: CommandSpec, data: Record<string, unknown>): Promise<void> {
  const out = byId('receipt');
  form?.showIssues([]);
  fill(out, h('p', { role: 'status' }, 'Sending…'));
  // the id is chosen here, so that a refused command's flow can be shown too
  const id = uuidv7();
  const label = `${spec.definition.type} ${brief(data, 50)}`;
  try {
    const receipt = await session.app.send(spec.definition(data), {
      messageId: id,
      correlationId: id,
    });
    // the page catches up first, so that a receipt on screen means the tables show its events
    flows = [{ id, label }, ...flows];
    pinned = undefined;
    await refresh();
    drawFlows(receipt.correlationId);
    const rows: [string, unknown][] = [
      ['status', receipt.status],
      ['message id', receipt.messageId],
      ['correlation id', receipt.correlationId],
      ['stream', receipt.streamId ?? '—'],
      ['version', receipt.version ?? '—'],
      ['position', receipt.position],
      ['events', receipt.events],
    ];
    fill(
      out,
      h('h3', {}, `Receipt: ${receipt.type} ${receipt.status}`),
      h(
        'dl',
        { class: 'receipt' },
        ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]),
      ),
    );
    status(`${receipt.type} handled; the ledger is at ${receipt.position || head}.`);
  } catch (error) {
    if (isValidationError(error)) {
      form?.showIssues(error.issues);
      fill(
        out,
        h('p', { class: 'error' }, 'Not sent: fix the fields marked above. Nothing was written.'),
      );
    } else {
      const code = isWhizbangError(error) ? ` (${error.code})` : '';
      const e = error as Error;
      fill(out, h('p', { class: 'error', role: 'alert' }, `Refused${code}: ${e.message}`));
    }
    // a refused command is in the trace too (a schema refusal is not: nothing ran)
    if (session.trace.chain(id) !== undefined) {
      flows = [{ id, label: `${label} (refused)` }, ...flows];
      drawFlows(id);
    }
  }
}

function drawFlows(chosen: string | undefined): void {
  const select = byId<HTMLSelectElement>('flow-of');
  fill(select, ...flows.map((f) => h('option', { value: f.id }, f.label)));
  if (chosen) select.value = chosen;
  const tree = chosen ? session.trace.chain(chosen) : undefined;
  if (tree === undefined) {
    fill(byId('flow'), h('p', { class: 'empty' }, 'Send a command to see its flow.'));
    fill(byId('flow-details'));
    return;
  }
  drawFlow(byId('flow'), byId('flow-details'), tree, [...session.app.perspectives.values()]);
  fill(byId('flow-details'), h('p', { class: 'hint' }, 'Choose a node (click, or Tab and Enter).'));
}

async function start(domain: Domain): Promise<void> {
  status(`Opening ${domain.title}…`);
  session = await openSession(domain);
  localStorage.setItem(CHOSEN, domain.id);
  flows = [];
  pinned = undefined;
  drawDomainCard(domain);
  const commands = byId<HTMLSelectElement>('command');
  fill(
    commands,
    ...domain.commands.map((c) => h('option', { value: c.definition.type }, c.definition.type)),
  );
  chooseCommand(domain.commands[0]!);
  drawFlows(undefined);
  await redraw();
  await fillDiffIds(session);
  status(`${domain.title}: ${all.length} events in IndexedDB.`);
}

function switchTo(domain: Domain): Promise<void> {
  return exclusive(async () => {
    await disconnectNow('disconnected when the domain changed');
    await session.close();
    await start(domain);
  });
}

function wire(): void {
  byId<HTMLSelectElement>('domain').addEventListener('change', (e) => {
    const id = (e.target as HTMLSelectElement).value;
    void switchTo(DOMAINS.find((d) => d.id === id)!);
  });
  byId<HTMLSelectElement>('command').addEventListener('change', (e) => {
    const type = (e.target as HTMLSelectElement).value;
    chooseCommand(session.domain.commands.find((c) => c.definition.type === type)!);
  });
  byId('reset').addEventListener('click', () =>
    exclusive(async () => {
      const domain = session.domain;
      await disconnectNow('disconnected by the reset');
      await session.close();
      await deleteDatabase(domain);
      await start(domain);
      status(`${domain.title}: reset, the ledger is empty.`);
    }),
  );
  const slider = byId<HTMLInputElement>('position');
  slider.addEventListener('input', () => void travelTo(Number(slider.value)));
  byId('back').addEventListener('click', () => void travelTo(position() - 1));
  byId('forward').addEventListener('click', () => void travelTo(position() + 1));
  byId('live').addEventListener('click', () => void travelTo(head));
  for (const id of ['filter-stream', 'filter-type'])
    byId(id).addEventListener('change', () => void refresh());
  byId('export').addEventListener('click', async () =>
    exportJson(session.domain.id, await drawLedger(session, position())),
  );
  byId('diff-lens').addEventListener('change', () => void fillDiffIds(session));
  byId('diff-run').addEventListener('click', () => void runDiff(session));
  byId('flow-of').addEventListener('change', (e) =>
    drawFlows((e.target as HTMLSelectElement).value),
  );
  const url = localStorage.getItem(SYNC_URL);
  if (url) byId<HTMLInputElement>('sync-url').value = url;
  byId('sync-connect').addEventListener('click', () => void connect());
  byId('sync-url').addEventListener('keydown', (e) => {
    if ((e as KeyboardEvent).key === 'Enter') void connect();
  });
  byId('sync-disconnect').addEventListener('click', () =>
    exclusive(() => disconnectNow('disconnected')),
  );
  const code = byId<HTMLTextAreaElement>('code');
  code.value = SAMPLE;
  byId('run').addEventListener('click', async () => {
    fill(byId('run-out'), h('p', {}, 'Running…'));
    showResult(
      byId('run-out'),
      await runSnippet(
        code.value,
        all.filter((e) => e.position <= position()),
      ),
    );
  });
}

const domainSelect = byId<HTMLSelectElement>('domain');
fill(domainSelect, ...DOMAINS.map((d) => h('option', { value: d.id }, d.title)));
const first = DOMAINS.find((d) => d.id === localStorage.getItem(CHOSEN)) ?? DOMAINS[0]!;
domainSelect.value = first.id;
wire();
void exclusive(async () => {
  await start(first);
  document.body.dataset.ready = 'true';
  void loadFaker(); // fetched while the visitor reads
});

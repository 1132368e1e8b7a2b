/**
 * The playground page: pick a sample domain, send commands from generated forms, read the ledger,
 * travel in time, follow the message flow, and run a perspective of one's own. Everything runs in
 * this tab, on IndexedDB; nothing needs a server. Optionally, the sync panel connects to a NATS
 * server over WebSocket and syncs the domain with other tabs and browsers.
 *
 * This file opens a domain's session and wires the panels to it; each panel is a file of its own.
 */

import { domains } from 'virtual:whizbang-domains';
import { CommandPanel } from './command-panel.ts';
import { byId, fill, h } from './dom.ts';
import { drawDomainCard } from './domain-card.ts';
import type { Domain } from './domains/types.ts';
import { runSnippet, SAMPLE, showResult } from './editor.ts';
import { FlowPanel } from './flow-panel.ts';
import { loadFaker } from './forms.ts';
import { drawLedger, exportBinary, exportJson, fillFilters } from './ledger-view.ts';
import { LensesPanel } from './lenses-panel.ts';
import { exclusive, status } from './queue.ts';
import { deleteDatabase, openSession, type Session } from './session.ts';
import { SyncPanel } from './sync-panel.ts';
import { drawPosition, fillDiff, fillDiffIds, runDiff } from './timeline.ts';
import { Travel } from './travel.ts';

// the samples, or the app `whizbang devtools --app` loads in their place
const DOMAINS: readonly Domain[] = domains;
const CHOSEN = 'whizbang-playground-domain';

let session: Session;
const current = (): Session => session;
const travel = new Travel();
/** Reads the ledger again and redraws what depends on it. */
const refresh = (): Promise<void> => exclusive(redraw);
const flows = new FlowPanel(current);
const sync = new SyncPanel(current, refresh);
const commands = new CommandPanel({ session: current, flows, travel, refresh });
let behind = false;
/**
 * A live lens at the head answered anew: the data changed (a command here, another tab, a sync
 * round, an async perspective), so the ledger table follows; a burst makes one redraw.
 */
const lenses = new LensesPanel(() => {
  if (behind) return;
  behind = true;
  void exclusive(async () => {
    behind = false;
    await redraw();
  });
});
/** A macrotask: the pinned lenses' answers (microtasks after the traveler moved) are drawn by then. */
const drawn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Reads the ledger again and redraws it; the lenses draw themselves (live), at the head or pinned. */
async function redraw(): Promise<void> {
  travel.read(await session.events());
  travel.drawSlider();
  fillFilters(travel.events);
  fillDiff(session, travel.head);
  const pinned = travel.at < travel.head;
  const view = pinned ? await session.traveler.at(travel.at) : undefined;
  await lenses.follow(session, pinned);
  if (pinned) await drawn();
  drawPosition(view, travel.at, travel.head); // after the tables: what it says is what they show
  await Promise.all([drawLedger(session, travel.at), sync.draw()]);
  if (session.readOnly) flows.fromLog(travel.events);
}

/** Moves the time slider (clamped); the head means "now". */
async function travelTo(p: number): Promise<void> {
  travel.moveTo(p);
  await refresh();
}

async function start(domain: Domain): Promise<void> {
  status(`Opening ${domain.title}…`);
  // a log the page follows redraws as its events arrive
  session = await openSession(domain, () => void refresh());
  localStorage.setItem(CHOSEN, domain.id);
  flows.clear();
  travel.follow();
  drawDomainCard(domain, session);
  fill(
    byId<HTMLSelectElement>('command'),
    ...domain.commands.map((c) => h('option', { value: c.definition.type }, c.definition.type)),
  );
  commands.choose(domain.commands[0]!);
  flows.draw(undefined);
  await redraw();
  await fillDiffIds(session);
  const following = session.readOnly ? ', following a running system’s log (read-only)' : '';
  status(`${domain.title}: ${travel.events.length} events in IndexedDB${following}.`);
}

function switchTo(domain: Domain): Promise<void> {
  return exclusive(async () => {
    await sync.disconnect('disconnected when the domain changed');
    lenses.stop();
    await session.close();
    await start(domain);
  });
}

function wire(): void {
  byId<HTMLSelectElement>('domain').addEventListener('change', (e) => {
    const id = (e.target as HTMLSelectElement).value;
    void switchTo(DOMAINS.find((d) => d.id === id)!);
  });
  commands.wire();
  byId('reset').addEventListener('click', () =>
    exclusive(async () => {
      const domain = session.domain;
      await sync.disconnect('disconnected by the reset');
      lenses.stop();
      await session.close();
      await deleteDatabase(domain);
      await start(domain);
      status(`${domain.title}: reset, the ledger is empty.`);
    }),
  );
  const slider = byId<HTMLInputElement>('position');
  slider.addEventListener('input', () => void travelTo(Number(slider.value)));
  byId('back').addEventListener('click', () => void travelTo(travel.at - 1));
  byId('forward').addEventListener('click', () => void travelTo(travel.at + 1));
  byId('live').addEventListener('click', () => void travelTo(travel.head));
  for (const id of ['filter-stream', 'filter-type'])
    byId(id).addEventListener('change', () => void refresh());
  byId('export').addEventListener('click', async () =>
    exportJson(session.domain.id, await drawLedger(session, travel.at)),
  );
  byId('export-segments').addEventListener('click', async () =>
    exportBinary(session.domain.id, await session.segmentFile()),
  );
  const reveal = byId<HTMLInputElement>('reveal-protected');
  reveal.checked = false;
  reveal.addEventListener('change', () => {
    session.revealProtected = reveal.checked;
    void refresh();
  });
  byId('diff-lens').addEventListener('change', () => void fillDiffIds(session));
  byId('diff-run').addEventListener('click', () => void runDiff(session));
  flows.wire();
  sync.wire();
  const code = byId<HTMLTextAreaElement>('code');
  code.value = SAMPLE;
  byId('run').addEventListener('click', async () => {
    fill(byId('run-out'), h('p', {}, 'Running…'));
    showResult(
      byId('run-out'),
      await runSnippet(
        code.value,
        travel.events.filter((e) => e.position <= travel.at),
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

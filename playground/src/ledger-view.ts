/** The ledger table: stream, version, type, time and payload, filtered by the core's scan; and its export. */
import type { RecordedEvent } from '../../js/mod.ts';
import { SEGMENT_FILE_TYPE } from '../../js/wasm/mod.ts';
import { brief, byId, fill, h, table } from './dom.ts';
import type { Session } from './session.ts';

/** Fills the stream and type pickers with what the ledger holds, keeping the choice. */
export function fillFilters(all: readonly RecordedEvent[]): void {
  const pick = (id: string, label: string, values: string[]): void => {
    const select = byId<HTMLSelectElement>(id);
    const chosen = select.value;
    fill(
      select,
      h('option', { value: '' }, `every ${label}`),
      ...values.sort().map((v) => h('option', { value: v }, v)),
    );
    select.value = values.includes(chosen) ? chosen : '';
  };
  pick('filter-stream', 'stream', [...new Set(all.map((e) => e.streamId))]);
  pick('filter-type', 'type', [...new Set(all.map((e) => e.type))]);
}

/** Draws the events of the chosen stream and type as of `position`; returns them. */
export async function drawLedger(session: Session, position: number): Promise<RecordedEvent[]> {
  const stream = byId<HTMLSelectElement>('filter-stream').value || undefined;
  const type = byId<HTMLSelectElement>('filter-type').value || undefined;
  const shown = await session.filter({
    ...(stream ? { stream } : {}),
    ...(type ? { type } : {}),
    to: position,
  });
  const rows = shown.map((e) => [
    String(e.position),
    e.streamId,
    String(e.version),
    e.type,
    h(
      'time',
      { datetime: new Date(e.timestamp).toISOString() },
      new Date(e.timestamp).toLocaleTimeString(),
    ),
    h('code', { title: JSON.stringify(e.data) }, brief(e.data)),
  ]);
  fill(
    byId('ledger'),
    table(
      `Events up to position ${position}`,
      ['position', 'stream', 'version', 'type', 'time', 'payload'],
      rows,
      'no events.',
    ),
  );
  byId('ledger-note').textContent =
    `${shown.length} shown; filtered by the ${session.core === 'wasm' ? 'WebAssembly' : 'TypeScript'} core's scan.`;
  return shown;
}

/** Saves `events` as a JSON file. */
export function exportJson(name: string, events: readonly RecordedEvent[]): void {
  save(
    new Blob([JSON.stringify(events, null, 2)], { type: 'application/json' }),
    `${name}-ledger.json`,
  );
}

/** Saves a segment file (the whole ledger in the binary format, `exportLedger`). */
export function exportBinary(name: string, bytes: Uint8Array): void {
  save(
    new Blob([bytes as Uint8Array<ArrayBuffer>], { type: SEGMENT_FILE_TYPE }),
    `${name}-ledger.segments`,
  );
}

function save(blob: Blob, file: string): void {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: file });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

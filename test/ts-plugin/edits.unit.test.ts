/**
 * The index across edits, as an editor makes them: each edit gives a new program; a file that did
 * not change keeps its walked fragment, unless it depends on one that did or a file that defines
 * messages changed (then every file is walked again, since definitions key everything).
 */
import ts from 'typescript';
import { beforeAll, expect, it } from 'vitest';
import { Indexer } from '../../ts-plugin/scan.ts';
import { type Fixture, openFixture } from './service.ts';

let bank: Fixture;
const indexer = new Indexer(ts);
const codes = (file: string) =>
  bank.service
    .getSemanticDiagnostics(bank.file(file))
    .filter((d) => d.source === 'whizbang')
    .map((d) => `${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ').split(':')[0]}`)
    .sort();

beforeAll(() => {
  bank = openFixture('bank');
  indexer.indexOf(bank.plain.getProgram()!);
}, 120_000);

it('walks only the edited file when it defines no messages, and its warnings follow the edit', () => {
  expect(codes('app.ts')).toContain(
    "91001 perspective 'balances' listens to event 'AccountClosed', which no receptor emits and nothing in this program publishes",
  );
  bank.edit(
    'app.ts',
    'events: [AccountOpened, Deposited, AccountClosed]',
    'events: [AccountOpened, Deposited]',
  );
  const index = indexer.indexOf(bank.plain.getProgram()!);
  expect(indexer.walked).toBe(1);
  expect(index.messages.get('event:AccountClosed')?.listeners).toEqual([]);
  expect(codes('app.ts').map((c) => c.slice(0, 5))).toEqual(['91002', '91003']);
});

it('walks every file again when a file that defines messages changes', () => {
  // app.ts is not edited, yet its route now names the renamed type
  bank.edit('messages.ts', "defineCommand('Audit',", "defineCommand('AuditTrail',");
  const index = indexer.indexOf(bank.plain.getProgram()!);
  expect(indexer.walked).toBeGreaterThan(3);
  expect(index.messages.get('command:AuditTrail')?.routes.map((r) => r.to)).toEqual(['outbox']);
  expect(index.messages.get('command:Audit')).toBeUndefined();
  expect(codes('app.ts').join('\n')).toContain("91002 Command 'AuditTrail' is routed to 'outbox'");
}, 60_000);

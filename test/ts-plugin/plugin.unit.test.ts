/**
 * whizbang/ts-plugin through the TypeScript language service API, applied as tsserver applies it,
 * over a fixture project (test/ts-plugin/fixtures/bank): navigation from a message definition to
 * the parts that use it, the flow in quick info, and the diagnostics with their codes — and what
 * it leaves alone (look-alikes, other identifiers, an event the app publishes itself).
 */
import { readdirSync, readFileSync } from 'node:fs';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import init from '../../ts-plugin/mod.ts';
import { type Fixture, openFixture } from './service.ts';

let bank: Fixture;
beforeAll(() => {
  bank = openFixture('bank');
  // the first question builds the program (the whole library's source): answered here, once
  bank.service.getSemanticDiagnostics(bank.file('app.ts'));
}, 120_000);

const text = (file: string, start: number, length: number): string =>
  readFileSync(file, 'utf8').slice(start, start + length);

/** Each implementation as `file:text at its span` and its description. */
function implementationsAt(file: string, position: number): string[] {
  const found = bank.service.getImplementationAtPosition(bank.file(file), position) ?? [];
  return found.map((i) => {
    const name = i.fileName.slice(i.fileName.lastIndexOf('/') + 1);
    const at = text(i.fileName, i.textSpan.start, i.textSpan.length).split('(')[0];
    return `${name}:${at} | ${i.displayParts.map((p) => p.text).join('')}`;
  });
}

const flowAt = (file: string, position: number): string =>
  (bank.service.getQuickInfoAtPosition(bank.file(file), position)?.documentation ?? [])
    .map((p) => p.text)
    .join('');

describe('go to implementation on a message definition', () => {
  it('lists the receptor that answers a command and the policies that name it', () => {
    const found = implementationsAt('messages.ts', bank.at('messages.ts', 'Deposit ='));
    expect(found).toContain('app.ts:deposit | receptor deposit answers command Deposit');
    expect(found).toContain('app.ts:policy | policy retry applies to command Deposit');
    // a policy with no `for` applies to every command
    expect(found).toContain('app.ts:policy | policy timeout applies to command Deposit');
    // the look-alike receptor (a function of the user's own, named defineReceptor) is not one
    expect(found.some((f) => f.startsWith('lookalike.ts'))).toBe(false);
  });

  it('lists the perspectives, handlers and sagas that listen to an event, and what emits it', () => {
    // from a use of the event (not its declaration): `.on(Deposited, …)` in app.ts
    const found = implementationsAt('app.ts', bank.at('app.ts', 'on(Deposited', 0, 4));
    expect(found).toEqual(
      expect.arrayContaining([
        'app.ts:balances | perspective balances listens to event Deposited',
        'app.ts:on | handler on(Deposited) listens to event Deposited',
        // decideDeposit, named by `handle:`, is followed to its body
        'app.ts:deposit | receptor deposit emits event Deposited',
      ]),
    );
  });

  it('follows a definition through a namespace import and a saga', () => {
    const opened = implementationsAt('app.ts', bank.at('app.ts', 'm.AccountOpened', 0, 2));
    expect(opened).toEqual(
      expect.arrayContaining([
        'app.ts:balances | perspective balances listens to event AccountOpened',
        'app.ts:AccountOpened | saga welcome listens to event AccountOpened',
        'app.ts:openAccount | receptor openAccount emits event AccountOpened',
      ]),
    );
    const statement = implementationsAt('messages.ts', bank.at('messages.ts', 'SendStatement ='));
    expect(statement).toEqual(
      expect.arrayContaining([
        'app.ts:sendStatement | receptor sendStatement answers command SendStatement',
        'app.ts:AccountOpened | saga welcome sends command SendStatement',
      ]),
    );
  });

  it('recognises the library through a namespace import and a renamed import', () => {
    expect(implementationsAt('renamed.ts', bank.at('renamed.ts', 'Ping ='))).toContain(
      'renamed.ts:pong | receptor pong answers command Ping',
    );
    expect(implementationsAt('renamed.ts', bank.at('renamed.ts', 'Pinged ='))).toEqual(
      expect.arrayContaining([
        'renamed.ts:pings | perspective pings listens to event Pinged',
        'renamed.ts:pong | receptor pong emits event Pinged',
      ]),
    );
  });

  it('lists routes, and adds nothing on an identifier that is not a message definition', () => {
    const archive = implementationsAt('messages.ts', bank.at('messages.ts', 'Archive ='));
    expect(archive).toContain("app.ts:route | route route to 'both' routes command Archive");
    const position = bank.at('app.ts', 'stream,');
    expect(bank.service.getImplementationAtPosition(bank.file('app.ts'), position)).toEqual(
      bank.plain.getImplementationAtPosition(bank.file('app.ts'), position),
    );
    const lookalike = bank.at('lookalike.ts', 'command: Deposit', 0, 9);
    expect(bank.service.getImplementationAtPosition(bank.file('lookalike.ts'), lookalike)).toEqual(
      bank.plain.getImplementationAtPosition(bank.file('lookalike.ts'), lookalike),
    );
  });
});

describe('go to definition', () => {
  it("on a definition's own name, lists what uses it after the declaration", () => {
    const position = bank.at('messages.ts', 'Deposit =');
    const found = bank.service.getDefinitionAndBoundSpan(bank.file('messages.ts'), position);
    const plain = bank.plain.getDefinitionAndBoundSpan(bank.file('messages.ts'), position);
    expect(found?.definitions?.[0]).toEqual(plain?.definitions?.[0]);
    expect(found?.definitions?.map((d) => d.name)).toContain(
      'receptor deposit answers command Deposit',
    );
  });

  it('on a use of the definition, goes to its declaration only, as TypeScript does', () => {
    const position = bank.at('app.ts', 'command: Deposit', 0, 9);
    expect(bank.service.getDefinitionAndBoundSpan(bank.file('app.ts'), position)).toEqual(
      bank.plain.getDefinitionAndBoundSpan(bank.file('app.ts'), position),
    );
  });
});

describe('quick info', () => {
  it("appends a command's flow: receptor, events, listeners, cascaded commands, policies", () => {
    const position = bank.at('messages.ts', 'Deposit =');
    const info = bank.service.getQuickInfoAtPosition(bank.file('messages.ts'), position);
    const plain = bank.plain.getQuickInfoAtPosition(bank.file('messages.ts'), position);
    expect(info?.displayParts).toEqual(plain?.displayParts);
    const flow = flowAt('messages.ts', position);
    expect(flow).toContain('**Whizbang flow**');
    expect(flow).toMatch(
      /- command `Deposit` → receptor `deposit` \(app\.ts:\d+\) · policies: retry, timeout/,
    );
    expect(flow).toMatch(
      /\n {2}- event `Deposited` → perspective `balances` \(app\.ts:\d+\), handler `on\(Deposited\)` \(app\.ts:\d+\)/,
    );
    expect(flow).toMatch(/\n {4}- command `Notify` → no receptor/);
  });

  it("shows what emits an event and the saga's cascade", () => {
    const flow = flowAt('app.ts', bank.at('app.ts', 'startedBy: AccountOpened', 0, 11));
    expect(flow).toMatch(/emitted by receptor `openAccount` \(app\.ts:\d+\)/);
    expect(flow).toContain('saga `welcome`');
    expect(flow).toMatch(/\n {2}- command `SendStatement` → receptor `sendStatement`/);
    // the saga's StatementSent handler sends nothing (its AccountOpened handler does)
    expect(flow).toMatch(/\n {4}- event `StatementSent` → saga `welcome` \(app\.ts:\d+\)$/);
    expect(flow).not.toContain('(above)');
  });

  it('marks a routed command and leaves other identifiers as they were', () => {
    expect(flowAt('messages.ts', bank.at('messages.ts', 'Audit ='))).toContain(
      "command `Audit` → routed to 'outbox'",
    );
    for (const [file, position] of [
      ['app.ts', bank.at('app.ts', 'stream,')],
      ['lookalike.ts', bank.at('lookalike.ts', 'Deposit =')],
    ] as const) {
      expect(bank.service.getQuickInfoAtPosition(bank.file(file), position)).toEqual(
        bank.plain.getQuickInfoAtPosition(bank.file(file), position),
      );
    }
  });
});

describe('diagnostics', () => {
  const ours = (file: string) =>
    bank.service
      .getSemanticDiagnostics(bank.file(file))
      .filter((d) => d.source === 'whizbang')
      .map((d) => ({
        code: d.code,
        at: text(bank.file(file), d.start ?? 0, d.length ?? 0).split('(')[0],
        category: d.category,
        message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
      }));

  it('reports an unemitted event, an unanswered route and an unanswered cascade, by code', () => {
    const found = ours('app.ts');
    expect(found.map((d) => [d.code, d.at]).sort()).toEqual([
      [91001, 'AccountClosed'],
      [91002, 'route'],
      [91003, 'on'],
    ]);
    expect(found.every((d) => d.category === ts.DiagnosticCategory.Warning)).toBe(true);
    const message = (code: number) => found.find((d) => d.code === code)?.message;
    expect(message(91001)).toBe(
      "perspective 'balances' listens to event 'AccountClosed', which no receptor emits and nothing in this program publishes: return AccountClosed(…) from a receptor (or publish it), or stop listening to it.",
    );
    expect(message(91002)).toContain("Command 'Audit' is routed to 'outbox' but no receptor");
    expect(message(91003)).toContain("handler 'on(Deposited)' sends command 'Notify'");
  });

  it('keeps TypeScript’s own diagnostics and reports nothing where nothing is wrong', () => {
    // RateChanged is published by the app (no receptor), Archive is routed and answered,
    // messages.ts and the look-alikes have nothing to say
    expect(ours('app.ts').some((d) => /RateChanged|Archive/.test(d.message))).toBe(false);
    expect(ours('messages.ts')).toEqual([]);
    expect(ours('lookalike.ts')).toEqual([]);
    expect(ours('renamed.ts')).toEqual([]);
    expect(bank.plain.getSemanticDiagnostics(bank.file('app.ts'))).toEqual([]);
  });

  it('are off with { diagnostics: false }', () => {
    const plugin = init({ typescript: ts });
    const quiet = plugin.create({ languageService: bank.plain, config: { diagnostics: false } });
    expect(quiet.getSemanticDiagnostics(bank.file('app.ts'))).toEqual([]);
    // and on again when the editor changes the options
    plugin.onConfigurationChanged({ diagnostics: true });
    expect(quiet.getSemanticDiagnostics(bank.file('app.ts')).map((d) => d.code)).toContain(91001);
  });
});

it('a failure inside the plugin leaves the language service’s answer as it was', () => {
  const answer = { kind: ts.ScriptElementKind.constElement } as ts.QuickInfo;
  const logged: string[] = [];
  const broken = {
    getQuickInfoAtPosition: () => answer,
    getProgram: () => {
      throw new Error('no program');
    },
  } as unknown as ts.LanguageService;
  const service = init({ typescript: ts }).create({
    languageService: broken,
    project: { projectService: { logger: { info: (s: string) => logged.push(s) } } },
  });
  expect(service.getQuickInfoAtPosition('a.ts', 0)).toBe(answer);
  expect(logged[0]).toMatch(/^whizbang\/ts-plugin: Error: no program/);
});

it('imports TypeScript as types only (it uses the copy tsserver hands it) and none of the library', () => {
  const dir = new URL('../../ts-plugin/', import.meta.url);
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
    const source = readFileSync(new URL(name, dir), 'utf8');
    const imports = [...source.matchAll(/^import (type )?[^;]*? from '([^']+)';$/gms)];
    for (const [, typeOnly, from] of imports) {
      if (from === 'typescript') expect(typeOnly, `${name} imports typescript`).toBe('type ');
      else expect(from, `${name} imports ${from}`).toMatch(/^\.\/[\w-]+\.ts$/);
    }
  }
});

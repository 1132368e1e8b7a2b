import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { natsReachable, postgresReachable, rabbitmqReachable } from '../support/services.ts';

// Every TypeScript example in the README runs as written (the package import pointed at the source).
// An example of `whizbang/indexeddb` finds fake-indexeddb where a browser's IndexedDB would be.
const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(`${root}README.md`, 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const dir = `${root}test/.readme`;
// the PostgreSQL, NATS and RabbitMQ examples need their servers: under CI its absence fails here, elsewhere it is skipped
const postgresUp = await postgresReachable('PostgreSQL (README example)');
const natsUp = await natsReachable('NATS (README example)');
const rabbitmqUp = await rabbitmqReachable('RabbitMQ (README example)');
mkdirSync(dir, { recursive: true });
const exportsOf = <T>(file: string): Record<string, T> =>
  (JSON.parse(readFileSync(`${root}${file}`, 'utf8')) as { exports: Record<string, T> }).exports;
const conditions = exportsOf<Record<string, string>>('package.json');
// 'whizbang/…' -> its source file, longest subpath first: as jsr.json names it, or where the
// package has a `node` condition, the Node entry beside it (test/core/exports.unit.test.ts)
const entries = Object.fromEntries(
  Object.entries(exportsOf<string>('jsr.json'))
    .map(([subpath, target]) => {
      const source =
        conditions[subpath]?.node === undefined ? target : `${dirname(target)}/node.ts`;
      return [`whizbang${subpath.slice(1)}`, source] as const;
    })
    .sort(([a], [b]) => b.length - a.length),
);

describe('README examples', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  it('has examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
  });

  blocks.forEach((code, i) => {
    const skip =
      (code.includes("'whizbang/postgres'") && !postgresUp) ||
      (code.includes("'whizbang/nats'") && !natsUp) ||
      (code.includes("'whizbang/rabbitmq'") && !rabbitmqUp);
    it.skipIf(skip)(`example ${i + 1} runs and prints what its comments say`, async () => {
      const file = `${dir}/example-${i + 1}.ts`;
      // every published subpath points at its source, as jsr.json names it
      const source = Object.entries(entries).reduce(
        (text, [subpath, target]) =>
          text.replaceAll(`from '${subpath}'`, `from '${root}${target.replace(/^\.\//, '')}'`),
        code,
      );
      writeFileSync(file, source);
      if (code.includes("from 'whizbang/indexeddb'")) {
        vi.stubGlobal('indexedDB', new IDBFactory());
        vi.stubGlobal('IDBKeyRange', IDBKeyRange);
      }
      const printed: unknown[][] = [];
      vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
        printed.push(args);
      });
      await import(/* @vite-ignore */ file);
      // `console.log(x); // value` — the comment is the value printed, compared loosely as text
      const expectations = [...code.matchAll(/console\.log\(.*\); \/\/ (.+)$/gm)].map((m) => m[1]!);
      expect(printed.length).toBeGreaterThan(0);
      expectations.forEach((expected, k) => {
        const shown = printed[k]!.map((v) =>
          typeof v === 'string' ? `'${v}'` : JSON.stringify(v),
        ).join(' ');
        const normalise = (s: string) => s.replaceAll(/["'\s]/g, '');
        expect(normalise(shown)).toBe(normalise(expected.replace(/^(\S+) \{/, '$1 {')));
      });
    });
  });
});

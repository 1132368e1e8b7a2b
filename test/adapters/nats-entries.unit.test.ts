/**
 * whizbang/nats by entry: the browser's (mod.ts, the `default` condition) has no TCP transport and
 * says what to do with `nats://` servers or a `credsFile`; the Node, Bun and Deno one (node.ts,
 * the `node` condition) connects over `@nats-io/transport-node`, imported statically, and reads
 * the creds file. No source file of the package loads a module by a computed name (JSR and
 * bundlers could not see it).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as browser from '../../adapters/nats/mod.ts';
import * as server from '../../adapters/nats/node.ts';
import { isWhizbangError } from '../../js/util/errors.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
// port 9 (discard) on loopback: nothing listens, so a TCP connect is refused at once
const closed = { servers: 'nats://127.0.0.1:9', reconnect: { attempts: 0 } } as const;

/** A transport's connect that the test never reaches. */
const unused = (): Promise<never> => Promise.reject(new Error('not reached'));

async function codeOf(promise: Promise<unknown>): Promise<[string | undefined, string]> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return [isWhizbangError(error) ? error.code : String(error), String((error as Error)?.message)];
}

describe('whizbang/nats entries', () => {
  it('the browser entry refuses nats:// servers, naming the entry that has a TCP transport', async () => {
    const [code, message] = await codeOf(browser.natsTransport(closed));
    expect(code).toBe('INVALID_ARGUMENT');
    expect(message).toMatch(/transport-node/);
    expect(message).toMatch(/ws:\/\//);
  });

  it('the browser entry refuses a credsFile, asking for its contents', async () => {
    const [code, message] = await codeOf(
      browser.jetstreamLedger({
        ...closed,
        connect: unused,
        credsFile: '/x',
      }),
    );
    expect(code).toBe('INVALID_ARGUMENT');
    expect(message).toMatch(/creds/);
  });

  it('the Node entry connects over TCP (refused here: UNAVAILABLE, not INVALID_ARGUMENT)', async () => {
    for (const factory of [server.natsTransport, server.jetstreamLedger, server.jetstreamDriver]) {
      const [code, message] = await codeOf(factory({ ...closed }));
      expect(code, message).toBe('UNAVAILABLE');
    }
  });

  it('the Node entry reads the creds file, and says so when it cannot', async () => {
    const [code, message] = await codeOf(
      server.natsTransport({ ...closed, credsFile: `${root}no-such.creds` }),
    );
    expect(code).toBe('INVALID_ARGUMENT');
    expect(message).toMatch(/no-such\.creds could not be read/);
  });

  it('no source file imports a module by a computed name', () => {
    const sources = (dir: string): string[] =>
      readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
        .map((f) => `${dir}/${f}`);
    const computed = [...sources('js'), ...sources('adapters')].filter((file) =>
      [...readFileSync(join(root, file), 'utf8').matchAll(/\bimport\(\s*([^)]*)\)/g)].some(
        (m) => !/^(['"])[^'"]+\1$/.test(m[1]!.replace(/\/\*.*?\*\//g, '').trim()),
      ),
    );
    expect(computed).toEqual([]);
  });
});

// @runtimes node deno bun
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import {
  defineEvent,
  definePerspective,
  isWhizbangError,
  memoryDriver,
  payload,
  whizbang,
} from '../../js/mod.ts';
import {
  type Cipher,
  isRedacted,
  memoryKeyStore,
  protect,
  REDACTED,
  redact,
} from '../../js/protect/mod.ts';
import { nodeCipher } from '../../js/protect/node.ts';
import { timeTravel } from '../../js/timetravel/mod.ts';
import {
  ada,
  customers,
  masterKey,
  Register,
  Registered,
  Rename,
  Renamed,
  register,
  rename,
} from './fixture.ts';

const events = [Registered, Renamed];

const ciphers: Array<[string, Cipher | undefined]> = [
  ['WebCrypto', undefined],
  ['node:crypto', nodeCipher()],
];
for (const [label, cipher] of ciphers) {
  const setup = async (options: { snapshotEvery?: number } = {}) => {
    const inner = memoryDriver();
    const keys = memoryKeyStore();
    const master = await masterKey();
    const driver = protect(inner, { master, keys, events, cipher });
    const app = whizbang('shop')
      .receptor(register)
      .receptor(rename)
      .perspective(customers)
      .build({ driver, ...options });
    return { inner, keys, master, driver, app };
  };

  describe(`protected fields (${label})`, () => {
    it('stores the protected fields encrypted and hands handlers and lenses the clear values', async () => {
      const { inner, app } = await setup();
      await app.send(Register(ada()));
      await app.send(Rename({ customerId: 'c-1', name: 'Ada King' }));
      const raw = JSON.stringify(inner.ledger.readAll());
      expect(raw).not.toContain('ada.c-1@example.org');
      expect(raw).not.toContain('Analytical');
      expect(raw).not.toContain('Ada King');
      expect(raw).toContain('London'); // unprotected fields stay readable and queryable
      const [stored] = inner.ledger.readAll() as Array<{ metadata: Record<string, any> }>;
      expect(stored!.metadata.protected).toMatchObject({
        s: 'c-1',
        f: ['email', 'address.street'],
      });
      expect(await app.lens(customers).get('c-1')).toEqual({
        name: 'Ada King',
        email: 'ada.c-1@example.org',
        street: '12 Analytical Engine Row c-1',
        city: 'London',
      });
      const read = await app.ledger.readStream('customer-c-1');
      expect(read[0]!.data).toEqual(ada());
      expect(read[0]!.metadata?.protected).toBeUndefined();
    });

    it('seals all protected fields of an event in one AES-GCM operation: one IV, one tag', async () => {
      const { inner, app } = await setup();
      await app.send(Register(ada()));
      const [stored] = inner.ledger.readAll() as any[];
      const size = (s: string) => Buffer.from(s, 'base64').length;
      const json = (v: unknown) => Buffer.byteLength(JSON.stringify(v));
      // the first piece leads with the IV (12 bytes), the last ends with the tag (16 bytes)
      expect(size(stored.data.email)).toBe(json(ada().email) + 12);
      expect(size(stored.data.address.street)).toBe(json(ada().address.street) + 16);
      expect((await app.ledger.readStream('customer-c-1'))[0]!.data).toEqual(ada());
    });

    it('forgets a subject: every read shows the redacted marker, rebuilds redact, nothing throws', async () => {
      const { driver, app } = await setup();
      await app.send(Register(ada('c-1')));
      await app.send(Register(ada('c-2')));
      expect(await driver.forget('c-1')).toBe(true);
      expect(await driver.forget('c-1')).toBe(false);
      const [forgotten] = await app.ledger.readStream('customer-c-1');
      expect(forgotten!.data).toEqual({
        ...ada('c-1'),
        email: REDACTED,
        address: { street: REDACTED, city: 'London' },
      });
      expect(isRedacted((forgotten!.data as { email: string }).email)).toBe(true);
      await app.rebuild(customers);
      expect(await app.lens(customers).get('c-1')).toMatchObject({
        email: REDACTED,
        street: REDACTED,
      });
      expect(await app.lens(customers).get('c-2')).toMatchObject({ email: 'ada.c-2@example.org' });
      // the stream still decides (redacted state), and a new key seals what comes after
      await app.send(Rename({ customerId: 'c-1', name: 'A. L.' }));
      const after = await app.ledger.readStream('customer-c-1');
      expect(after[1]!.data).toEqual({ customerId: 'c-1', name: 'A. L.' });
      expect(after[0]!.data).toMatchObject({ email: REDACTED });
    });

    it('keeps snapshots, upcasting and time travel working', async () => {
      const { app } = await setup({ snapshotEvery: 1 });
      await app.send(Register(ada()));
      for (let i = 0; i < 3; i++) await app.send(Rename({ customerId: 'c-1', name: `Ada ${i}` }));
      expect(await app.lens(customers).get('c-1')).toMatchObject({ name: 'Ada 2' });
      const travel = timeTravel({ ledger: app.ledger, perspectives: [customers] });
      const then = await travel.at(2);
      expect(await then.lens(customers).get('c-1')).toMatchObject({
        name: 'Ada 0',
        email: 'ada.c-1@example.org',
      });

      // version 1 sealed `mail`; version 2 reads it as `email`
      const V1 = defineEvent('Joined', payload<{ id: string; mail: string }>(), {
        protect: { subject: (e) => e.data.id, fields: ['mail'] },
      });
      const V2 = defineEvent('Joined', payload<{ id: string; email: string }>(), {
        version: 2,
        upcast: { 1: (v1: { id: string; mail: string }) => ({ id: v1.id, email: v1.mail }) },
        protect: { subject: (e) => e.data.id, fields: ['email'] },
      });
      const keys = memoryKeyStore();
      const master = await masterKey();
      const inner = memoryDriver();
      await protect(inner, { master, keys, events: [V1], cipher }).ledger.append('j-1', [
        V1({ id: 'p-1', mail: 'old@example.org' }),
      ]);
      const v2 = protect(inner, { master, keys, events: [V2], cipher });
      const joins = definePerspective({
        name: 'joins',
        events: [V2],
        key: (e) => e.data.id,
        initial: () => ({ email: '' }),
        apply: (_m, e) => ({ email: e.data.email }),
      });
      const joined = whizbang('joins').perspective(joins).build({ driver: v2 });
      const seen = await joined.ledger.readStream('j-1');
      expect(seen[0]!.data).toEqual({ id: 'p-1', email: 'old@example.org' });
      await joined.rebuild(joins);
      expect(await joined.lens(joins).get('p-1')).toEqual({ email: 'old@example.org' });
      await v2.forget('p-1');
      expect((await joined.ledger.readStream('j-1'))[0]!.data).toEqual({
        id: 'p-1',
        email: REDACTED,
      });
    });
  });

  describe(`tampering (${label})`, () => {
    // a copy of the ledger with one stored event changed, read through the same keys
    const tampered = async (change: (events: any[]) => void) => {
      const { inner, keys, master, app } = await setup();
      await app.send(Register(ada('c-1')));
      await app.send(Register(ada('c-2')));
      const stored = structuredClone(inner.ledger.readAll()) as any[];
      change(stored);
      const copy = memoryDriver();
      for (const e of stored) {
        copy.ledger.append(e.streamId, [
          { type: e.type, data: e.data, messageId: e.messageId, metadata: e.metadata },
        ]);
      }
      return protect(copy, { master, keys, events, cipher }).ledger;
    };
    const flip = (s: string): string =>
      `${s.slice(0, 20)}${s[20] === 'A' ? 'B' : 'A'}${s.slice(21)}`;
    const failure = async (read: () => unknown): Promise<unknown> => {
      try {
        await read();
      } catch (error) {
        return error;
      }
      return undefined;
    };

    it('reports a changed ciphertext with a stable code and never returns it', async () => {
      const ledger = await tampered((e) => {
        e[0].data.email = flip(e[0].data.email);
      });
      const error = await failure(() => ledger.readAll());
      expect(isWhizbangError(error, 'PROTECTED_DATA_TAMPERED')).toBe(true);
      expect(error).toMatchObject({
        path: 'email, address.street',
        position: 1,
        streamId: 'customer-c-1',
      });
      expect(String((error as Error).message)).not.toContain('ada.');
    });

    it('reports a value moved to another event, another field or another subject', async () => {
      const moves: Array<(e: any[]) => void> = [
        (e) => {
          e[1].data.email = e[0].data.email; // another event
        },
        (e) => {
          e[0].data.email = e[0].data.address.street; // another field
        },
        (e) => {
          e[0].metadata.protected.f = ['email']; // a sealed field dropped from the list
        },
        (e) => {
          e[0].metadata.protected = 'nonsense';
        },
        (e) => {
          e[0].data.email = 42;
        },
        (e) => {
          // the two values swapped: each piece is where the other one was
          [e[0].data.email, e[0].data.address.street] = [e[0].data.address.street, e[0].data.email];
        },
        (e) => {
          // the sealed field list reordered: same fields, another binding
          e[0].metadata.protected.f = ['address.street', 'email'];
        },
        (e) => {
          // bytes moved across the boundary between the two pieces (one event, one ciphertext)
          const a = Buffer.from(e[0].data.email, 'base64');
          const b = Buffer.from(e[0].data.address.street, 'base64');
          const both = Buffer.concat([a, b]);
          e[0].data.email = both.subarray(0, a.length + 3).toString('base64');
          e[0].data.address.street = both.subarray(a.length + 3).toString('base64');
        },
        (e) => {
          // one sealed field left out of both the list and the data
          e[0].metadata.protected.f = ['email'];
          delete e[0].data.address.street;
        },
      ];
      for (const [i, move] of moves.entries()) {
        const error = await failure(async () => (await tampered(move)).readAll());
        expect([i, isWhizbangError(error, 'PROTECTED_DATA_TAMPERED')]).toEqual([i, true]);
      }
      // relabelled to another subject (or key id): that key is not the one named, so the value
      // reads as forgotten; GCM would refuse it with the other key in any case
      const relabelled = await tampered((e) => {
        e[0].metadata.protected.s = 'c-2';
      });
      const [first] = (await relabelled.readAll()) as any[];
      expect(first.data.email).toBe(REDACTED);
    });

    it('refuses a wrong master key with a stable code', async () => {
      const { inner, keys, app } = await setup();
      await app.send(Register(ada()));
      const other = protect(inner, { master: await masterKey(), keys, events, cipher });
      const error = await failure(() => other.ledger.readAll());
      expect(isWhizbangError(error, 'MASTER_KEY_MISMATCH')).toBe(true);
      const append = await failure(() => other.ledger.append('customer-c-1', [Registered(ada())]));
      expect(isWhizbangError(append, 'MASTER_KEY_MISMATCH')).toBe(true);
    });
  });

  describe(`protect options (${label})`, () => {
    it('takes an AES-GCM master key as well', async () => {
      const master = (await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
        'wrapKey',
        'unwrapKey',
      ])) as CryptoKey;
      const driver = protect(memoryDriver(), { master, keys: memoryKeyStore(), events, cipher });
      await driver.ledger.append('customer-c-1', [Registered(ada())]);
      expect(((await driver.ledger.readAll()) as any[])[0].data.email).toBe('ada.c-1@example.org');
    });

    it('refuses bad options and bad declarations with INVALID_ARGUMENT', async () => {
      const keys = memoryKeyStore();
      const wrongUse = (await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
        'encrypt',
      ])) as CryptoKey;
      expect(() => protect(memoryDriver(), { master: wrongUse, keys, events })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
      expect(() =>
        defineEvent('X', payload<{ a: string }>(), {
          protect: { subject: (e) => e.data.a, fields: [] },
        }),
      ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
      const driver = protect(memoryDriver(), { master: await masterKey(), keys, events, cipher });
      const error = await (async () =>
        driver.ledger.append('s', [Registered({ ...ada(), customerId: '' })]))().catch(
        (e: unknown) => e,
      );
      expect(isWhizbangError(error, 'INVALID_ARGUMENT')).toBe(true);
      expect(driver.ledger.readAll()).toEqual([]);
    });

    it('redacts protected fields for tools without the key', () => {
      expect(redact(Registered(ada()), [Registered]).data).toEqual({
        ...ada(),
        email: REDACTED,
        address: { street: REDACTED, city: 'London' },
      });
      const other = { type: 'Other', data: { email: 'x' } };
      expect(redact(other, [Registered])).toBe(other);
    });
  });
}

describe('ciphers', () => {
  it('read what the other wrote: WebCrypto and node:crypto write the same format', async () => {
    const keys = memoryKeyStore();
    const master = await masterKey();
    const inner = memoryDriver();
    const web = protect(inner, { master, keys, events: [Registered] });
    const node = protect(inner, { master, keys, events: [Registered], cipher: nodeCipher() });
    await web.ledger.append('customer-c-1', [Registered(ada('c-1'))]);
    await Promise.resolve(node.ledger.append('customer-c-2', [Registered(ada('c-2'))]));
    for (const driver of [web, node]) {
      const all = (await driver.ledger.readAll()) as any[];
      expect(all.map((e) => e.data.email)).toEqual(['ada.c-1@example.org', 'ada.c-2@example.org']);
    }
    // with the key held, node:crypto seals and opens without a promise
    const sync = node.ledger.append('customer-c-2', [Registered(ada('c-2'))]);
    expect(sync).not.toBeInstanceOf(Promise);
    expect(node.ledger.readStream('customer-c-2')).not.toBeInstanceOf(Promise);
  });
});

// @runtimes node deno bun
import { describe, expect, it } from 'vitest';
import {
  defineCommand,
  defineEvent,
  definePerspective,
  defineReceptor,
  defineState,
  isWhizbangError,
  memoryDriver,
  payload,
  whizbang,
} from '../../js/mod.ts';

// Version 1 stored { name: 'Ada Lovelace' }; version 2 splits it; version 3 adds a display name.
type V1 = { id: string; name: string };
type V2 = { id: string; first: string; last: string };
type V3 = V2 & { display: string };
const Registered = defineEvent('Registered', payload<V3>(), {
  version: 3,
  upcast: {
    1: (v1: V1): V2 => {
      const [first = '', ...rest] = v1.name.split(' ');
      return { id: v1.id, first, last: rest.join(' ') };
    },
    2: (v2: V2): V3 => ({ ...v2, display: `${v2.last}, ${v2.first}` }),
  },
});
const Rename = defineCommand('Rename', payload<{ id: string; first: string; last: string }>());
const Person = defineState<{ display: string; renames: number }, ReturnType<typeof Registered>>({
  initial: () => ({ display: '', renames: 0 }),
  evolve: (s, e) => ({ display: e.data.display, renames: s.renames + 1 }),
});
const rename = defineReceptor({
  command: Rename,
  stream: (c) => `person-${c.data.id}`,
  state: Person,
  decide: (c, s) => {
    if (s.renames === 0) throw new Error('Unknown person');
    return Registered({ ...c.data, display: `${c.data.last}, ${c.data.first}` });
  },
});
const people = definePerspective({
  name: 'people',
  events: [Registered],
  key: (e) => e.data.id,
  initial: () => ({ display: '' }),
  apply: (_m, e) => ({ display: e.data.display }),
});

describe('upcasting', () => {
  const seeded = () => {
    const driver = memoryDriver();
    // written by an older version of the app: no schemaVersion (= 1), and one at version 2
    driver.ledger.append('person-1', [
      { type: 'Registered', data: { id: '1', name: 'Ada King Lovelace' } },
    ]);
    driver.ledger.append('person-2', [
      {
        type: 'Registered',
        data: { id: '2', first: 'Alan', last: 'Turing' },
        metadata: { schemaVersion: 2 },
      },
    ]);
    return driver;
  };

  it('reads version 1 and 2 events as version 3 on every read path', async () => {
    const driver = seeded();
    const app = whizbang().receptor(rename).perspective(people).build({ driver });
    const [e1] = await app.ledger.readStream('person-1');
    expect(e1?.data).toEqual({
      id: '1',
      first: 'Ada',
      last: 'King Lovelace',
      display: 'King Lovelace, Ada',
    });
    expect(e1?.metadata).toEqual({ schemaVersion: 3 });
    expect((await app.ledger.readAll()).map((e) => (e.data as V3).display)).toEqual([
      'King Lovelace, Ada',
      'Turing, Alan',
    ]);
    await app.rebuild(people);
    expect(await app.lens(people).get('2')).toEqual({ display: 'Turing, Alan' });
    // the receptor's state is folded from upcast events
    await app.send(Rename({ id: '1', first: 'Ada', last: 'Lovelace' }));
    expect(await app.lens(people).get('1')).toEqual({ display: 'Lovelace, Ada' });
    // the stored events are untouched; new ones carry their version
    const raw = driver.ledger.readStream('person-1');
    expect(raw[0]?.data).toEqual({ id: '1', name: 'Ada King Lovelace' });
    expect(raw[1]?.metadata).toEqual({ schemaVersion: 3 });
  });

  it('refuses an event written by a newer version, and reports a failing upcaster', async () => {
    const driver = memoryDriver();
    driver.ledger.append('person-9', [
      { type: 'Registered', data: {}, metadata: { schemaVersion: 4 } },
    ]);
    const app = whizbang().events(Registered).build({ driver });
    const error = await (async () => app.ledger.readStream('person-9'))().catch((e: unknown) => e);
    expect(isWhizbangError(error, 'UNKNOWN_EVENT_VERSION')).toBe(true);
    expect(String(error)).toMatch(/version 4.*knows version 3/);

    const Broken = defineEvent('Broken', payload<{ n: number }>(), {
      version: 2,
      upcast: {
        1: () => {
          throw new Error('no way');
        },
      },
    });
    driver.ledger.append('b', [{ type: 'Broken', data: {} }]);
    const other = whizbang().events(Broken).build({ driver });
    const failed = await (async () => other.ledger.readStream('b'))().catch((e: unknown) => e);
    expect(isWhizbangError(failed, 'UPCAST_FAILED')).toBe(true);
    expect(String(failed)).toMatch(/from version 1 to 2 failed: no way/);
  });

  it('checks definitions: every older version needs an upcaster, and versions must agree', () => {
    expect(() =>
      defineEvent('X', payload<{ a: 1 }>(), { version: 3, upcast: { 1: (d) => d } }),
    ).toThrow(/no upcaster from version 2/);
    expect(() => defineEvent('X', payload<{ a: 1 }>(), { version: 0 })).toThrow(/≥ 1/);
    const A = defineEvent('Same', payload<{ a: 1 }>());
    const B = defineEvent('Same', payload<{ a: 1 }>(), { version: 2, upcast: { 1: (d) => d } });
    expect(() => whizbang().events(A, B)).toThrow(/disagree on its version/);
  });
});

// @runtimes node deno bun
// Trace records and protected fields. The events a command appends are recorded without their
// data; an event delivered as a message (a receptor or saga reacting to it, a transport) is
// recorded with its protected fields as '[redacted]' by default, or with `redact` (here
// `whizbang/protect`'s, with the app's definitions); in clear only with `redact: false`.
import { describe, expect, it } from 'vitest';
import { createEnvelope } from '../../js/messages/envelope.ts';
import { memoryDriver, whizbang } from '../../js/mod.ts';
import { memoryKeyStore, protect, REDACTED, redact } from '../../js/protect/mod.ts';
import { type TraceStoreOptions, traceStore } from '../../js/trace/mod.ts';
import { ada, customers, masterKey, Register, Registered, Renamed, register } from './fixture.ts';

const events = [Registered, Renamed];
const everything = (trace: ReturnType<typeof traceStore>) =>
  JSON.stringify(trace.between(0, Number.MAX_SAFE_INTEGER));

describe('trace records of protected events', () => {
  it('keep no event data of what a command appended', async () => {
    const trace = traceStore({ redact: (m) => redact(m, events) });
    const driver = protect(memoryDriver(), {
      master: await masterKey(),
      keys: memoryKeyStore(),
      events,
    });
    const app = whizbang('shop')
      .receptor(register)
      .perspective(customers)
      .build({ driver, observers: [trace] });
    const receipt = await app.send(Register(ada()));
    const [record] = trace.byStream('customer-c-1');
    expect(record!.events.map((e) => e.messageId)).toHaveLength(1);
    expect(JSON.stringify(record!.events)).not.toContain(ada().email);
    expect(receipt.messageId).toBe(record!.messageId);
  });

  it('record an event delivered as a message as sent with `redact: false`', () => {
    const trace = traceStore({ redact: false });
    trace.onDispatched({ envelope: createEnvelope(Registered(ada())), events: [] });
    expect(everything(trace)).toContain(ada().email);
  });

  it.each<[string, TraceStoreOptions]>([
    ['with `redact`', { redact: (m) => redact(m, events) }],
    ['by default', {}],
  ])("show its protected fields as '[redacted]' %s", (_, options) => {
    const trace = traceStore(options);
    trace.onDispatched({ envelope: createEnvelope(Registered(ada())), events: [] });
    const text = everything(trace);
    expect(text).not.toContain(ada().email);
    expect(text).not.toContain(ada().address.street);
    expect(text).toContain('London'); // the other fields stay
    const [record] = trace.between(0, Number.MAX_SAFE_INTEGER);
    expect(record!.message).toMatchObject({ kind: 'event', type: 'Registered' });
    expect((record!.message.data as { email: string }).email).toBe(REDACTED);
  });
});

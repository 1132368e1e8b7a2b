// Redaction by default: the trace store, the OpenTelemetry spans and the errors the runtime makes
// show a message's protected fields (as its definition declares them) as '[redacted]', with no
// option given and no knowledge of whizbang/protect; `redact: false` is the explicit way to see
// them in clear.
import * as api from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEnvelope } from '../../js/messages/envelope.ts';
import { masked, protectedFields } from '../../js/messages/protected.ts';
import { scrubText } from '../../js/messages/scrub.ts';
import {
  defineCommand,
  defineEvent,
  definePerspective,
  defineReceptor,
  memoryDriver,
  payload,
  whizbang,
} from '../../js/mod.ts';
import { REDACTED, redact } from '../../js/protect/mod.ts';
import { otelObserver, traceStore } from '../../js/trace/mod.ts';
import { isWhizbangError } from '../../js/util/errors.ts';
import { ada, Registered } from './fixture.ts';

type Signup = { customerId: string; email: string; note?: string };
const Signup = defineCommand('redaction.Signup', payload<Signup>(), {
  protect: { subject: (c) => c.data.customerId, fields: ['email'] },
});
const SignedUp = defineEvent('redaction.SignedUp', payload<Signup>(), {
  protect: { subject: (e) => e.data.customerId, fields: ['email'] },
});
const email = 'grace.hopper@example.org';
const refusing = defineReceptor({
  command: Signup,
  stream: (c) => `signup-${c.data.customerId}`,
  handle: (c) => {
    if (c.data.note === 'refuse') throw new Error(`no signup for ${c.data.email}, sorry`);
    return SignedUp(c.data);
  },
});
const everything = (trace: ReturnType<typeof traceStore>) =>
  JSON.stringify(trace.between(0, Number.MAX_SAFE_INTEGER));

describe('the table of protected fields', () => {
  it('knows what each definition declared, commands too', () => {
    expect(protectedFields('redaction.Signup')).toEqual(['email']);
    expect(protectedFields('Registered')).toEqual(['email', 'address.street']);
    expect(protectedFields('redaction.Nothing')).toBeUndefined();
  });

  it('masks present fields only, and leaves other messages as they are', () => {
    const m = masked(Registered(ada()));
    expect(m.data.email).toBe(REDACTED);
    expect(m.data.address).toEqual({ street: REDACTED, city: 'London' });
    expect(masked({ type: 'Registered', data: { customerId: 'x' } }).data).toEqual({
      customerId: 'x',
    });
    const other = { type: 'redaction.Nothing', data: { email } };
    expect(masked(other)).toBe(other);
    // whizbang/protect's redact, with no definitions, masks by the same table
    expect(redact(Registered(ada())).data.email).toBe(REDACTED);
  });

  it('scrubs the clear values of a message out of a text, longest first', () => {
    const text = `bad ${email} (and again: ${email}) at ${ada().address.street}`;
    expect(scrubText(text, Signup({ customerId: 'c', email }), Registered(ada()))).toBe(
      `bad ${REDACTED} (and again: ${REDACTED}) at ${REDACTED}`,
    );
    expect(scrubText(text)).toBe(text);
  });
});

describe('the trace store, by default', () => {
  it("records a command's and an event's protected fields as '[redacted]'", async () => {
    const trace = traceStore();
    const app = whizbang('redaction')
      .receptor(refusing)
      .on(SignedUp, () => {})
      .build({ observers: [trace] });
    await app.send(Signup({ customerId: 'c-1', email }));
    trace.onDispatched({
      envelope: createEnvelope(SignedUp({ customerId: 'c-2', email })),
      events: [],
    });
    const text = everything(trace);
    expect(text).toContain('c-1');
    expect(text).toContain('c-2');
    expect(text).not.toContain(email);
    expect(text).toContain(REDACTED);
    await app.close();
  });

  it("records a failure's text without the values it quotes", async () => {
    const trace = traceStore();
    const app = whizbang('redaction')
      .receptor(refusing)
      .build({ observers: [trace] });
    const sent = app.send(Signup({ customerId: 'c-3', email, note: 'refuse' }));
    await expect(sent).rejects.toThrow(email); // the caller's own error is theirs, untouched
    const [record] = trace.between(0, Number.MAX_SAFE_INTEGER);
    expect(record!.error?.message).toBe(`no signup for ${REDACTED}, sorry`);
    expect(everything(trace)).not.toContain(email);
    await app.close();
  });

  it('records everything in clear with `redact: false` (the control)', async () => {
    const trace = traceStore({ redact: false });
    const app = whizbang('redaction')
      .receptor(refusing)
      .build({ observers: [trace] });
    await app.send(Signup({ customerId: 'c-4', email }));
    await expect(app.send(Signup({ customerId: 'c-5', email, note: 'refuse' }))).rejects.toThrow();
    const text = everything(trace);
    expect(text).toContain(`"email":"${email}"`);
    expect(text).toContain(`no signup for ${email}`);
    await app.close();
  });

  it('applies a `redact` function on top of the default', () => {
    const trace = traceStore({
      redact: (m) => ({ ...m, data: { ...(m.data as object), customerId: 'hidden' } }),
    });
    trace.onDispatched({
      envelope: createEnvelope(Signup({ customerId: 'c-6', email })),
      events: [],
    });
    const [record] = trace.between(0, Number.MAX_SAFE_INTEGER);
    expect(record!.message.data).toEqual({ customerId: 'hidden', email: REDACTED });
  });
});

describe('OpenTelemetry spans', () => {
  let exporter: InMemorySpanExporter;
  let provider: BasicTracerProvider;
  afterEach(async () => {
    await provider.shutdown();
    api.trace.disable();
  });

  const run = async (options: { redact?: false }) => {
    exporter = new InMemorySpanExporter();
    provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const otel = otelObserver({ api, tracerProvider: provider, ...options });
    const app = whizbang('redaction')
      .receptor(refusing)
      .build({ observers: [otel] });
    await app.send(Signup({ customerId: 'c-7', email }));
    await expect(app.send(Signup({ customerId: 'c-8', email, note: 'refuse' }))).rejects.toThrow();
    otel.flush();
    await app.close();
    return JSON.stringify(
      exporter.getFinishedSpans().map((s) => ({
        attributes: s.attributes,
        events: s.events,
        status: s.status,
      })),
    );
  };

  it("show no protected value, in the exception's message, stack or the span's status", async () => {
    const spans = await run({});
    expect(spans).toContain('exception.stacktrace');
    expect(spans).toContain(`no signup for ${REDACTED}`);
    expect(spans).not.toContain(email);
  });

  it('show the clear text with `redact: false` (the control)', async () => {
    expect(await run({ redact: false })).toContain(email);
  });
});

describe('errors the runtime makes', () => {
  it('a validation error quotes no protected value, in its message or its issues', async () => {
    const Checked = defineEvent(
      'redaction.Checked',
      z.object({
        customerId: z.string(),
        email: z.email({ error: (i) => `not an email: ${String(i.input)}` }),
      }),
      { protect: { subject: (e) => e.data.customerId, fields: ['email'] } },
    );
    const Check = defineCommand(
      'redaction.Check',
      payload<{ customerId: string; email: string }>(),
      {
        protect: { subject: (c) => c.data.customerId, fields: ['email'] },
      },
    );
    const app = whizbang('redaction')
      .receptor(
        defineReceptor({
          command: Check,
          stream: (c) => `check-${c.data.customerId}`,
          handle: (c) => Checked(c.data),
        }),
      )
      .events(Checked)
      .build();
    const error = await app
      .send(Check({ customerId: 'c-9', email: 'not-an-address' }))
      .catch((e) => e);
    expect(isWhizbangError(error, 'VALIDATION_FAILED')).toBe(true);
    expect(error.message).toContain(`not an email: ${REDACTED}`);
    expect(JSON.stringify({ message: error.message, issues: error.issues })).not.toContain(
      'not-an-address',
    );
    await app.close();
  });

  it("a perspective's failure does not quote the values; a receptor's is masked where recorded", async () => {
    const failing = definePerspective({
      name: 'redaction-failing',
      events: [SignedUp],
      key: (e) => e.data.customerId,
      initial: () => ({}),
      apply: (_m, e) => {
        throw new Error(`cannot keep ${e.data.email}`);
      },
    });
    const Throwing = defineCommand(
      'redaction.Throwing',
      payload<{ customerId: string; email: string }>(),
      { protect: { subject: (c) => c.data.customerId, fields: ['email'] } },
    );
    const trace = traceStore();
    const app = whizbang('redaction')
      .receptor(refusing)
      .receptor(
        defineReceptor({
          command: Throwing,
          stream: (c) => `throwing-${c.data.customerId}`,
          handle: (c) => {
            throw `refused ${c.data.email}`;
          },
        }),
      )
      .perspective(failing)
      .build({ driver: memoryDriver(), observers: [trace] });
    const failed = await app.send(Signup({ customerId: 'c-10', email })).catch((e) => e);
    expect(isWhizbangError(failed, 'HANDLER_FAILED')).toBe(true);
    const thrown = await app.send(Throwing({ customerId: 'c-11', email })).catch((e) => e);
    expect(isWhizbangError(thrown, 'HANDLER_FAILED')).toBe(true);
    // a perspective's failure does not repeat what apply() threw (the cause keeps it, in process)
    expect(failed.message).toMatch(/see `cause` \(protected fields\)/);
    expect(failed.message).not.toContain(email);
    expect(failed.cause.message).toBe(`cannot keep ${email}`);
    // a receptor's thrown value reaches its caller as thrown; what is recorded is masked
    expect(thrown.message).toContain(email);
    const errors = trace.between(0, Number.MAX_SAFE_INTEGER).map((r) => r.error?.message);
    expect(errors).toEqual([
      expect.stringContaining('see `cause` (protected fields)'),
      expect.stringContaining(`threw "refused ${REDACTED}"`),
    ]);
    expect(everything(trace)).not.toContain(email);
    await app.close();
  });
});

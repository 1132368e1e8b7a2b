import { readFileSync } from 'node:fs';
import * as api from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createBank,
  Deposit,
  OpenAccount,
  Transfer,
  Withdraw,
} from '../../examples/bank/domain.ts';
import {
  defineCommand,
  defineEvent,
  defineReceptor,
  parseTraceparent,
  payload,
  retry,
  whizbang,
} from '../../js/mod.ts';
import { otelObserver } from '../../js/trace/mod.ts';
import { otelObserver as installedObserver } from '../../js/trace/otel.ts';
import { isWhizbangError } from '../../js/util/errors.ts';

let exporter: InMemorySpanExporter;
let provider: BasicTracerProvider;

beforeEach(() => {
  exporter = new InMemorySpanExporter();
  provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
});

afterEach(async () => {
  await provider.shutdown();
  api.trace.disable();
  vi.restoreAllMocks();
});

const ms = (t: readonly [number, number]): number => t[0] * 1e3 + t[1] / 1e6;
const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
const named = (where: string): ReadableSpan => {
  const found = spans().filter((s) => s.name === where);
  expect(found, where).toHaveLength(1);
  return found[0]!;
};

async function openBank(observer: ReturnType<typeof otelObserver>) {
  const bank = createBank({ observers: [observer] });
  await bank.send(OpenAccount({ accountId: 'ada', owner: 'Ada' }));
  await bank.send(OpenAccount({ accountId: 'bob', owner: 'Bob' }));
  await bank.send(Deposit({ accountId: 'bob', amount: 500 }));
  exporter.reset();
  return bank;
}

describe('otelObserver', () => {
  it('makes one span per hop, each under the span of what caused it, in the envelope’s trace', async () => {
    const otel = otelObserver({ api, tracerProvider: provider });
    const bank = await openBank(otel);
    const receipt = await bank.send(
      Transfer({ transferId: 't-1', from: 'bob', to: 'ada', amount: 120 }),
    );

    expect(
      spans()
        .map((s) => s.name)
        .sort(),
    ).toEqual(
      [
        'receptor:CompleteTransfer',
        'receptor:Deposit',
        'receptor:Transfer',
        'receptor:Withdraw',
      ].sort(),
    );
    const transfer = named('receptor:Transfer');
    const withdraw = named('receptor:Withdraw');
    const deposit = named('receptor:Deposit');
    const complete = named('receptor:CompleteTransfer');
    const traceId = receipt.envelope.traceId;
    for (const s of spans()) expect(s.spanContext().traceId).toBe(traceId);

    // The cascade is one tree: Transfer -> Withdraw -> (MoneyWithdrawn) Deposit -> (MoneyDeposited) CompleteTransfer.
    expect(withdraw.parentSpanContext?.spanId).toBe(transfer.spanContext().spanId);
    expect(deposit.parentSpanContext?.spanId).toBe(withdraw.spanContext().spanId);
    expect(complete.parentSpanContext?.spanId).toBe(deposit.spanContext().spanId);
    // The root hangs under its hop's W3C traceparent (a remote parent).
    const hop = receipt.envelope.hops[0]!;
    expect(transfer.parentSpanContext).toMatchObject({
      traceId,
      spanId: parseTraceparent(hop.traceparent)!.parentId,
      isRemote: true,
    });

    // Times are the hop's: start at `at`, end `durationMs` later.
    expect(ms(transfer.startTime)).toBe(hop.at);
    expect(ms(transfer.endTime)).toBeCloseTo(hop.at + hop.durationMs, 3);

    expect(transfer.attributes).toMatchObject({
      'whizbang.message.type': 'Transfer',
      'whizbang.message.kind': 'command',
      'whizbang.message.id': receipt.messageId,
      'whizbang.correlation_id': receipt.correlationId,
      'whizbang.causation_id': receipt.messageId,
      'whizbang.tenant': 'default',
      'whizbang.stream': 'transfer-t-1',
      'whizbang.traceparent': hop.traceparent,
    });
    expect(deposit.attributes['whizbang.stream']).toBe('account-ada');
    expect(deposit.attributes['whizbang.correlation_id']).toBe(receipt.correlationId);
    expect(transfer.events.map((e) => [e.name, e.attributes?.['whizbang.event.type']])).toEqual([
      ['whizbang.event', 'TransferRequested'],
    ]);
    expect(transfer.status.code).toBe(api.SpanStatusCode.UNSET);
    await bank.close();
  });

  it('marks a failed message’s span as an error, with the exception', async () => {
    const otel = otelObserver({ api, tracerProvider: provider });
    const bank = await openBank(otel);
    await expect(bank.send(Withdraw({ accountId: 'ada', amount: 1_000 }))).rejects.toThrow();
    const span = named('receptor:Withdraw');
    expect(span.status).toEqual({
      code: api.SpanStatusCode.ERROR,
      message: expect.stringMatching(/^Withdrawal refused/),
    });
    const exception = span.events.find((e) => e.name === 'exception');
    expect(exception?.attributes).toMatchObject({
      'exception.type': 'BankError',
      'exception.message': expect.stringMatching(/^Withdrawal refused/),
    });
    expect(ms(span.endTime) - ms(span.startTime)).toBeLessThan(5_000);
    await bank.close();
  });

  it('records policy decisions as span events', async () => {
    const Flaky = defineCommand('Flaky', payload<{ id: string }>());
    const Done = defineEvent('Done', payload<{ id: string }>());
    let calls = 0;
    const app = whizbang('flaky')
      .receptor(
        defineReceptor({
          command: Flaky,
          stream: (c) => `flaky-${c.data.id}`,
          handle: (c) => {
            if (++calls === 1) throw new Error('try again');
            return Done(c.data);
          },
        }),
      )
      .policy(retry({ maxAttempts: 2, initialDelayMs: 1, jitter: false }))
      .build({ observers: [otelObserver({ api, tracerProvider: provider })] });
    await app.send(Flaky({ id: '1' }));
    const span = named('receptor:Flaky');
    const decision = span.events.find((e) => e.name === 'retry: retry');
    expect(decision?.attributes).toEqual({
      'whizbang.policy': 'retry',
      'whizbang.decision': 'retry',
      'whizbang.detail': expect.stringContaining('try again'),
    });
    await app.close();
  });

  it('waits for the cause of a message it has not seen, until flushed', async () => {
    const otel = otelObserver({ api, tracerProvider: provider, flushAfterMs: 20 });
    const bank = await openBank(otel);
    // Sent as the effect of something handled elsewhere: its cause never arrives here.
    await bank.send(Deposit({ accountId: 'ada', amount: 1 }), { causationId: 'elsewhere' });
    expect(spans()).toEqual([]);
    otel.flush();
    expect(named('receptor:Deposit').parentSpanContext?.isRemote).toBe(true);

    exporter.reset();
    await bank.send(Deposit({ accountId: 'ada', amount: 2 }), { causationId: 'elsewhere' });
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(spans().map((s) => s.name)).toEqual(['receptor:Deposit']);
    await bank.close();
  });

  it('whizbang/trace/otel brings the installed @opentelemetry/api and its global provider', async () => {
    api.trace.setGlobalTracerProvider(provider);
    const otel = installedObserver();
    const bank = createBank({ observers: [otel] });
    await bank.send(OpenAccount({ accountId: 'ada', owner: 'Ada' }));
    expect(spans().map((s) => s.name)).toEqual(['receptor:OpenAccount']);
    expect(spans()[0]!.instrumentationScope.name).toBe('whizbang');
    await bank.close();
  });

  it('whizbang/trace imports nothing of OpenTelemetry; whizbang/trace/otel imports it statically', () => {
    const read = (file: string): string =>
      readFileSync(new URL(`../../js/trace/${file}`, import.meta.url), 'utf8');
    for (const file of ['mod.ts', 'otel-observer.ts', 'otel-api.ts']) {
      expect(read(file), file).not.toMatch(/^import (?!type )[^;]*@opentelemetry/m);
      expect(read(file), file).not.toMatch(/import\(/);
    }
    // a static import: bundlers and JSR see the optional peer where it is used
    expect(read('otel.ts')).toMatch(/^import \* as \w+ from '@opentelemetry\/api';$/m);
    expect(read('otel.ts')).not.toMatch(/import\(/);
  });

  it('without an api, says where to get one', () => {
    const error = (() => {
      try {
        otelObserver({} as never);
      } catch (e) {
        return e;
      }
    })();
    expect(isWhizbangError(error) && error.code).toBe('INVALID_ARGUMENT');
    expect(String((error as Error).message)).toMatch(/whizbang\/trace\/otel/);
  });
});

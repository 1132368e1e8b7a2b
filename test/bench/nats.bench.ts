/**
 * Benchmarks of the NATS adapter on the local server (`NATS_URL`): the transport (binary format,
 * and `.json` with the JSON codec) against raw core pub→sub of the envelope's JSON, and the JetStream ledger's append (expected version) against raw
 * `js.publish` with `Nats-Expected-Last-Subject-Sequence`, each at the same concurrency.
 */
import { type JetStreamClient, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { headers, type MsgHdrs, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import {
  type EnvelopeCodec,
  type JetStreamLedger,
  jetstreamLedger,
  jsonCodec,
  type NatsTransport,
  natsTransport,
} from '../../adapters/nats/node.ts';
import type { WireEnvelope } from '../../js/contracts/transport.ts';
import type { BenchEntry, Side } from './harness.ts';

const URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const run = `${process.pid}_${Date.now().toString(36)}`;
const encoder = new TextEncoder();

/** A small event envelope, about 200 bytes of JSON. */
export function envelope(n: number): WireEnvelope {
  return {
    message: { kind: 'event', type: 'Deposited', data: { account: 'a-17', amount: n } },
    messageId: `0190c6e2-7d3a-7000-8000-${String(n).padStart(12, '0')}`,
    correlationId: 'c',
    causationId: 'c',
    tenant: 'default',
    timestamp: 1_700_000_000_000,
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    hops: [],
  };
}

/** The placement headers the ledger puts on a commit of one event. */
function placement(v: number): MsgHdrs {
  const h = headers();
  h.set('Whizbang-Position', String(v + 1));
  h.set('Whizbang-Version', String(v + 1));
  h.set('Whizbang-Count', '1');
  return h;
}

/** Waits until `count()` reaches `n`, yielding to the event loop. */
export async function reach(count: () => number, n: number): Promise<void> {
  while (count() < n) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * The transport with `codec` (the binary format by default) against raw pub→sub; with
 * `sameHeaders`, the raw side carries the transport's header too (the envelope's `traceparent`, so
 * an `HPUB`) and reads it on receipt.
 */
function transportPublish(name: string, codec?: EnvelopeCodec, sameHeaders = false): BenchEntry {
  return {
    name,
    make: () => {
      let pub: NatsTransport;
      let sub: NatsTransport;
      let rawPub: NatsConnection;
      let rawSub: NatsConnection;
      let got = 0;
      let rawGot = 0;
      const topic = `bench.${run}.${name}`;
      const bytes = encoder.encode(JSON.stringify(envelope(1)));
      const subject: Side = {
        name: 'whizbang',
        setup: async () => {
          got = 0;
          if (pub !== undefined) return;
          pub = await natsTransport({ servers: URL, ...(codec === undefined ? {} : { codec }) });
          sub = await natsTransport({ servers: URL, ...(codec === undefined ? {} : { codec }) });
          await sub.subscribe(topic, () => {
            got++;
          });
        },
        run: async (n) => {
          const e = envelope(1);
          for (let i = 0; i < n; i++) {
            await pub.publish(topic, e);
            if ((i & 1023) === 1023) await reach(() => got, i - 4096);
          }
          await reach(() => got, n);
          return n;
        },
      };
      const traced = headers();
      traced.set('traceparent', envelope(1).traceparent ?? '');
      const baseline: Side = {
        name: sameHeaders
          ? 'raw core pub→sub of the envelope JSON with the traceparent header, read on receipt'
          : 'raw core pub→sub of the envelope JSON',
        setup: async () => {
          rawGot = 0;
          if (rawPub !== undefined) return;
          rawPub = await connect({ servers: URL });
          rawSub = await connect({ servers: URL });
          rawSub.subscribe(`${topic}.raw`, {
            callback: (_e, m) => {
              if (sameHeaders) m.headers?.get('traceparent');
              JSON.parse(new TextDecoder().decode(m.data));
              rawGot++;
            },
          });
          await rawSub.flush();
        },
        run: async (n) => {
          for (let i = 0; i < n; i++) {
            rawPub.publish(`${topic}.raw`, bytes, sameHeaders ? { headers: traced } : undefined);
            if ((i & 1023) === 1023) await reach(() => rawGot, i - 4096);
          }
          await reach(() => rawGot, n);
          return n;
        },
      };
      return {
        name,
        unit: 'msgs/s',
        ops: 50_000,
        goal: 0.8,
        subject,
        baseline,
        finish: async () => {
          await pub.close();
          await sub.close();
          await rawPub.close();
          await rawSub.close();
        },
      };
    },
  };
}

/** `workers` writers at once, each appending one event at a time to a stream of its own. */
function ledgerAppend(
  name: string,
  workers: number,
  ops: number,
  sameHeaders = false,
  untraced = false,
): BenchEntry {
  return {
    name,
    make: () => {
      const ledgerStream = `WB_BENCH_LEDGER_${run}`;
      const rawStream = `WB_BENCH_RAW_${run}`;
      let ledger: JetStreamLedger;
      let nc: NatsConnection;
      let js: JetStreamClient;
      let round = 0;
      const data = { account: 'a-17', amount: 1 };
      const subject: Side = {
        name: 'whizbang',
        setup: async () => {
          round++;
          ledger ??= await jetstreamLedger({
            servers: URL,
            stream: ledgerStream,
            prefix: `bench.${run}.ledger`,
          });
        },
        run: async (n) => {
          const per = Math.ceil(n / workers);
          await Promise.all(
            Array.from({ length: workers }, async (_, w) => {
              const stream = `r${round}-w${w}`;
              for (let v = 0; v < per; v++) {
                await ledger.append(stream, [{ type: 'Deposited', data }], {
                  expectedVersion: v,
                });
              }
            }),
          );
          return per * workers;
        },
      };
      const baseline: Side = {
        name:
          (sameHeaders
            ? 'raw js.publish, the same headers (msg id, both expectations, placement)'
            : 'raw js.publish + expected subject seq') + (untraced ? ', noAsyncTraces' : ''),
        setup: async () => {
          if (nc !== undefined) return;
          // untraced: the client's option the ledger's own connection sets (no Error per request)
          nc = await connect({ servers: URL, ...(untraced ? { noAsyncTraces: true } : {}) });
          js = jetstream(nc);
          const jsm = await jetstreamManager(nc);
          await jsm.streams.add({ name: rawStream, subjects: [`bench.${run}.raw.>`] });
        },
        run: async (n) => {
          const per = Math.ceil(n / workers);
          const body = encoder.encode(
            JSON.stringify({
              v: 1,
              stream: 's',
              tenant: 'default',
              events: [{ type: 'Deposited', data, id: 'x', at: 1 }],
            }),
          );
          round++;
          // one writer: the stream's last sequence is known ahead, as the ledger predicts it
          let tail = (await (await jetstreamManager(nc)).streams.info(rawStream)).state.last_seq;
          await Promise.all(
            Array.from({ length: workers }, async (_, w) => {
              const subjectName = `bench.${run}.raw.r${round}.w${w}`;
              let last = 0;
              for (let v = 0; v < per; v++) {
                const ack = await js.publish(subjectName, body, {
                  expect: {
                    lastSubjectSequence: last,
                    ...(sameHeaders ? { lastSequence: tail++ } : {}),
                  },
                  ...(sameHeaders ? { msgID: crypto.randomUUID(), headers: placement(v) } : {}),
                });
                last = ack.seq;
              }
            }),
          );
          return per * workers;
        },
      };
      return {
        name,
        unit: 'appends/s',
        ops,
        goal: 0.8,
        rounds: 5,
        subject,
        baseline,
        finish: async () => {
          await ledger.close();
          const jsm = await jetstreamManager(nc);
          await jsm.streams.delete(ledgerStream).catch(() => undefined);
          await jsm.streams.delete(rawStream).catch(() => undefined);
          await nc.close();
        },
      };
    },
  };
}

export const benches: BenchEntry[] = [
  transportPublish('nats.transport.publish'),
  transportPublish('nats.transport.publish.json', jsonCodec),
  transportPublish('nats.transport.publish.same-headers', undefined, true),
  ledgerAppend('nats.ledger.append', 256, 20_000),
  ledgerAppend('nats.ledger.append.serial', 1, 2_000),
  ledgerAppend('nats.ledger.append.same-headers', 256, 20_000, true),
  ledgerAppend('nats.ledger.append.untraced', 256, 20_000, false, true),
  ledgerAppend('nats.ledger.append.same-headers.untraced', 256, 20_000, true, true),
];

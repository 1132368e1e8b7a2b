/**
 * Writes `envelopes-v1.json`: envelopes and their bytes in format version 1, and corrupt bytes
 * with the reason and offset a reader must report. Run `node --import tsx test/vectors/generate.ts`
 * only when the format changes (with a new version): the file is the contract, checked in.
 */
import { writeFileSync } from 'node:fs';
import { encodeSegment, type WireRecord } from '../../js/wasm/codec.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const ev = (over: Partial<WireRecord>): WireRecord => ({
  kind: 'event',
  type: 'Deposited',
  data: { amount: 100 },
  streamId: 'account-1',
  version: 1,
  position: 1,
  tenant: 'default',
  messageId: '01938a6c-4b2e-7c41-9d1a-2f6e8b0c3d4e',
  correlationId: '01938a6c-4b2e-7c41-9d1a-2f6e8b0c3d4e',
  causationId: '01938a6c-4b2e-7c41-9d1a-2f6e8b0c3d4e',
  timestamp: 1732838400000,
  metadata: undefined,
  ...over,
});

const valid: { name: string; records: WireRecord[] }[] = [
  { name: 'empty segment', records: [] },
  { name: 'one event', records: [ev({})] },
  {
    name: 'event with metadata, unicode and a large position',
    records: [
      ev({
        type: 'Renamed',
        data: { name: 'Zoë — 東京 🚀', tags: ['a', 'b'], nested: { ok: true, n: null } },
        streamId: 'customer-ß',
        tenant: 'acme',
        version: 4294967297,
        position: 9007199254740991,
        metadata: { source: 'import', schemaVersion: 2 },
        correlationId: 'corr-1',
        causationId: 'cause-1',
        timestamp: -1.5,
      }),
    ],
  },
  {
    name: 'command without stream or data',
    records: [
      ev({
        kind: 'command',
        type: 'Ping',
        data: undefined,
        streamId: undefined,
        version: 0,
        position: 0,
        tenant: '',
      }),
    ],
  },
  {
    name: 'three events in two streams',
    records: [
      ev({}),
      ev({ streamId: 'account-2', position: 2, data: { amount: -5 }, type: 'Withdrawn' }),
      ev({ version: 2, position: 3, data: [1, 2, 3], messageId: 'm-3' }),
    ],
  },
];

const base = encodeSegment([ev({})]);
const corrupt: { name: string; hex: string; reason: string; offset: number }[] = [];
const add = (name: string, bytes: Uint8Array, reason: string, offset: number): void => {
  corrupt.push({ name, hex: hex(bytes), reason, offset });
};
const edit = (f: (b: Uint8Array, d: DataView) => void): Uint8Array => {
  const b = base.slice();
  f(b, new DataView(b.buffer));
  return b;
};
add('empty bytes', new Uint8Array(0), 'truncated', 0);
add('header cut short', base.slice(0, 19), 'truncated', 0);
add(
  'wrong magic',
  edit((b) => {
    b[0] = 0x58;
  }),
  'bad-magic',
  0,
);
add(
  'format version 2',
  edit((b) => {
    b[4] = 2;
  }),
  'unsupported-version',
  4,
);
add(
  'header checksum',
  edit((b) => {
    b[8] = 7;
  }),
  'bad-checksum',
  16,
);
add('body cut short', base.slice(0, base.length - 1), 'truncated', 12);
add(
  'record checksum',
  edit((b) => {
    b[base.length - 2] = b[base.length - 2]! ^ 0x01;
  }),
  'bad-checksum',
  24,
);
add(
  'record length past the body',
  edit((_, d) => {
    d.setUint32(20, 0xffffffff, true);
  }),
  'truncated',
  20,
);
add(
  'record length below its header',
  edit((_, d) => {
    d.setUint32(20, 10, true);
  }),
  'bad-length',
  20,
);
add(
  'unknown kind',
  edit((b) => {
    b[28] = 9;
  }),
  'reserved',
  28,
);
add(
  'random bytes',
  Uint8Array.from({ length: 64 }, (_, i) => (i * 151 + 7) & 0xff),
  'bad-magic',
  0,
);

writeFileSync(
  new URL('./envelopes-v1.json', import.meta.url),
  `${JSON.stringify(
    {
      format: 'whizbang binary envelope format, version 1 (core-wasm/FORMAT.md)',
      checks: { crc32c_123456789: 'e3069283', fnv1a_a: 'e40c292c' },
      valid: valid.map((v) => ({
        name: v.name,
        records: v.records,
        hex: hex(encodeSegment(v.records)),
      })),
      corrupt,
    },
    undefined,
    2,
  )}\n`,
);

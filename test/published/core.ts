// Compiled against the built package (dist/*.d.ts) with neither DOM nor Node types, by `npm test`
// (tsconfig.core.json): the core's entries need no host library, and declare no global.

import { defineCommand, defineEvent, defineReceptor, payload, whizbang } from 'whizbang';
import { matches } from 'whizbang/kit';
import { defineSaga } from 'whizbang/saga';
import { offlineDriver } from 'whizbang/sync';
import { scenario } from 'whizbang/testing';
import { timeTravel } from 'whizbang/timetravel';
import { traceStore } from 'whizbang/trace';
import { type CoreFactory, jsCore, loadWasmCore, measuredPlan } from 'whizbang/wasm';

const Ping = defineCommand('Ping', payload<{ n: number }>());
const Pinged = defineEvent('Pinged', payload<{ n: number }>());
const ping = defineReceptor({
  command: Ping,
  stream: () => 'pings',
  // without DOM or Node types, the signal is the few members the core names
  handle: (c, context) => Pinged({ n: context.signal?.aborted === true ? 0 : c.data.n + 1 }),
});
export const app = whizbang().receptor(ping).build();
export const core: Promise<CoreFactory> = loadWasmCore(undefined, {
  plan: measuredPlan('deno'),
});
export const twin: CoreFactory = jsCore;
export const features = [matches, defineSaga, offlineDriver, scenario, timeTravel, traceStore];

// @ts-expect-error no global comes with the package: `AbortSignal` is the DOM's or Node's to declare
export type Leaked = AbortSignal;

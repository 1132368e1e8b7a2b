/**
 * `npm run bench [-- prefix]`: runs every benchmark whose name starts with the prefix.
 * Each `*.bench.ts` exports `benches`: named specs, made lazily so unselected ones cost nothing.
 * `main.mjs` bundles this file (no name-keeping wrappers, as a user's bundler would) and runs it
 * on Node; the benchmarks that also run on Bun and Deno it runs there from `portable.ts`.
 */

import { benches as cli } from './cli.bench.ts';
import { benches as concurrent } from './concurrent.bench.ts';
import { benches as coordinator } from './coordinator.bench.ts';
import { benches as core } from './core.bench.ts';
import { allocationProbe, benches as dispatch } from './dispatch.bench.ts';
import { benches as edge } from './edge.bench.ts';
import { runBenches } from './harness.ts';
import { benches as indexeddb } from './indexeddb.bench.ts';
import { benches as lens } from './lens.bench.ts';
import { benches as live } from './live.bench.ts';
import { benches as liveTabs } from './live-tabs.bench.ts';
import { benches as nats } from './nats.bench.ts';
import { benches as outbox } from './outbox.bench.ts';
import { benches as policy } from './policy.bench.ts';
import { benches as postgres } from './postgres.bench.ts';
import { benches as protection } from './protect.bench.ts';
import { benches as atRest } from './protect-atrest.bench.ts';
import { benches as rabbitmq } from './rabbitmq.bench.ts';
import { benches as replica } from './replica.bench.ts';
import { benches as sqlite } from './sqlite.bench.ts';
import { benches as sqliteEmmett } from './sqlite-emmett.bench.ts';
import { benches as sync } from './sync.bench.ts';
import { benches as syncGroups } from './sync-groups.bench.ts';
import { benches as syncProtect } from './sync-protect.bench.ts';
import { benches as syncServer } from './sync-server.bench.ts';
import { benches as timetravel } from './timetravel.bench.ts';
import { benches as wasm } from './wasm.bench.ts';
import { benches as wasmRoute } from './wasm-route.bench.ts';

if (!(await allocationProbe())) {
  await runBenches([
    ...dispatch,
    ...core,
    ...coordinator,
    ...policy,
    ...outbox,
    ...timetravel,
    ...live,
    ...liveTabs,
    ...lens,
    ...sqlite,
    ...sqliteEmmett,
    ...postgres,
    ...indexeddb,
    ...nats,
    ...rabbitmq,
    ...sync,
    ...syncServer,
    ...syncGroups,
    ...syncProtect,
    ...wasm,
    ...replica,
    ...wasmRoute,
    ...cli,
    ...edge,
    ...concurrent,
    ...protection,
    ...atRest,
  ]);
}

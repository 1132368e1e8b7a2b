import { runEdgeSuites } from './suites-run.ts';
const r = await runEdgeSuites([process.argv[2] ?? 'do']);
for (const [name, list] of r) {
  const fail = list.filter((x) => x.status === 'fail');
  console.log(name, list.length, 'fail', fail.length, JSON.stringify(list.reduce((a, x) => ({ ...a, [x.status]: (a[x.status] ?? 0) + 1 }), {})));
  for (const f of fail.slice(0, 8)) console.log(f.name.join(' > '), '\n   ', f.error?.message.slice(0, 400));
}

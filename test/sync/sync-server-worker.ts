/**
 * An authoritative sync server process for the crash tests: the bank on the JetStream shared log,
 * answering pushes on `<subject>.<user>`, printing `ready` once it listens. With `--die-before-answer`,
 * it kills itself (SIGKILL) right after deciding and appending a command, before it answers: the
 * moment a server crash costs the most.
 * Usage: node --import tsx sync-server-worker.ts <servers> <stream> <prefix> <subject> [--die-before-answer]
 */
import { jetstreamDriver, natsSyncServer } from '../../adapters/nats/node.ts';
import { createBank } from '../../examples/bank/domain.ts';
import { authoritativeDriver, type SyncServer, syncServer } from '../../js/sync/mod.ts';

const [servers, stream, prefix, subject, mode] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string | undefined,
];
const app = createBank({
  driver: authoritativeDriver(await jetstreamDriver({ servers, stream, prefix })),
});
const allow = () => true;
const decider = syncServer(app, {
  authorize: { OpenAccount: allow, Deposit: allow, Withdraw: allow },
});
const server: SyncServer =
  mode === '--die-before-answer'
    ? {
        async decide(request, principal) {
          const answer = await decider.decide(request, principal);
          if (answer.status === 'decided') {
            process.stdout.write('decided\n');
            process.kill(process.pid, 'SIGKILL');
          }
          return answer;
        },
      }
    : decider;
await natsSyncServer(server, {
  servers,
  subject,
  principal: (user) => ({ userId: user, tenant: 'default' }),
});
process.stdout.write('ready\n');

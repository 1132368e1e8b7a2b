/**
 * The authoritative sync server: replicas push their pending commands, not events; the server,
 * an app built from the same receptors on the shared log (`authoritativeDriver(jetstreamDriver(…))`),
 * checks who sends each (the principal its connection proved, never what the request says), asks
 * the command type's `authorize` hook (and its receptor's own, on the state), decides the command
 * on the log's current state and appends what it decides. A command is decided once however often it is pushed. The transport (NATS
 * request/reply: `natsSyncServer` of `whizbang/nats`) hands requests to {@link SyncServer.decide}.
 */
import { createEnvelope, type Envelope } from '../messages/envelope.ts';
import type { Command } from '../messages/message.ts';
import { scrubText } from '../messages/scrub.ts';
import { actAs } from '../runtime/principal.ts';
import type { Whizbang } from '../runtime/types.ts';
import { invalidArgument, isWhizbangError } from '../util/errors.ts';
import type { MaybePromise } from '../util/maybe.ts';
import { type Deciding, type Decisions, decisionsOf } from './authoritative.ts';
import type { PendingCommand } from './records.ts';
import type { PullAnswer } from './scope.ts';
import { type ScopeOptions, servePull } from './serve-pull.ts';
import { type Principal, type PushAnswer, type PushRequest, parsePushRequest } from './wire.ts';

/** What an `authorize` hook is asked about. */
export interface AuthorizeRequest {
  /** The command pushed (type, data and ids). */
  readonly command: PendingCommand;
  /** Who pushed it, from the authenticated connection. */
  readonly principal: Principal;
  /** The server app, to read its lenses (who owns what, who shares what). */
  readonly app: Whizbang<any, any>;
}

/**
 * Whether a principal may send a command: `true` lets it through; `false` or a reason (a string)
 * refuses it with `FORBIDDEN`, before anything is decided.
 */
export type AuthorizeHook = (request: AuthorizeRequest) => MaybePromise<boolean | string>;

/** Options of {@link syncServer}. */
export interface SyncServerOptions {
  /**
   * One hook per command type replicas may push. A type without one here is refused with
   * `FORBIDDEN` unless its receptor has an `authorize` hook of its own (write `() => true` to let
   * everyone send it). With both, both must allow it: this one first, then the receptor's on the
   * stream's current state.
   */
  readonly authorize?: Readonly<Record<string, AuthorizeHook>>;
  /** Told of each command decided or refused (for logs and metrics; what it throws is ignored). */
  readonly onDecided?: (request: PushRequest, answer: PushAnswer, principal: Principal) => void;
  /**
   * Stream groups: replicas read through this server, each only the groups its principal may see
   * (`pull`). Without it, replicas read the shared log themselves.
   */
  readonly scope?: ScopeOptions;
}

/** A sync server: decides the commands replicas push. */
export interface SyncServer {
  /**
   * Decides one pushed command (`request` as parsed from the wire, checked here) for `principal`.
   * Never throws: a refusal is an answer, with a stable code.
   */
  decide(request: unknown, principal: Principal): Promise<PushAnswer>;
  /**
   * Answers one pull of a replica that reads through the server (`request` as parsed from the
   * wire, checked here) with what `principal`'s scope holds. Never throws.
   */
  pull?(request: unknown, principal: Principal): Promise<PullAnswer>;
}

/** The refusal of `command`; its text shows the command's protected values as `'[redacted]'`. */
function refused(error: unknown, command?: PendingCommand): PushAnswer {
  return {
    status: 'refused',
    // a receptor's own error is its refusal of the command
    code: isWhizbangError(error) ? error.code : 'COMMAND_REFUSED',
    message: scrubText(error instanceof Error ? error.message : String(error), command),
  };
}

function forbidden(message: string): PushAnswer {
  return { status: 'refused', code: 'FORBIDDEN', message };
}

/** Runs `work` for one command id at a time: a command pushed twice at once waits for itself. */
class Turns {
  readonly #busy = new Map<string, Promise<unknown>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    for (let held = this.#busy.get(key); held !== undefined; held = this.#busy.get(key)) {
      await held.catch(() => undefined);
    }
    const done = work();
    this.#busy.set(key, done);
    try {
      return await done;
    } finally {
      this.#busy.delete(key);
    }
  }
}

async function decideOne(
  app: Whizbang<any, any>,
  decisions: Decisions,
  request: PushRequest,
  principal: Principal,
): Promise<PushAnswer> {
  const c = request.command;
  const deciding: Deciding = { proposed: request.events, decidedBefore: false, adopted: false };
  decisions.set(c.messageId, deciding);
  try {
    // decided as sync decides a displaced command: on the current state, nothing cascading (the
    // replica's own cascade pushes its commands too), the client's ids kept
    const envelope = createEnvelope({ kind: 'command', type: c.type, data: c.data } as Command, {
      messageId: c.messageId,
      correlationId: c.correlationId,
      causationId: c.causationId,
      tenant: principal.tenant,
    }) as Envelope<Command>;
    actAs(envelope, principal); // the receptor's `authorize` hook is asked for this principal
    const outcome = await app.replica.decideAgain(envelope);
    if (outcome.duplicate === true) return { status: 'duplicate' };
    if (outcome.queued === true) {
      return forbidden(`No receptor of this server decides "${c.type}".`);
    }
    return {
      status: 'decided',
      position: outcome.append?.position ?? 0,
      adopted: deciding.adopted,
    };
  } catch (error) {
    if (deciding.decidedBefore) return { status: 'duplicate' };
    return refused(error, c);
  } finally {
    decisions.delete(c.messageId);
  }
}

/**
 * Makes the sync server of `app` (built on `authoritativeDriver(…)` over the shared log), for a
 * transport to hand pushed commands to: `natsSyncServer(server, { … })` of `whizbang/nats`.
 */
export function syncServer(app: Whizbang<any, any>, options: SyncServerOptions = {}): SyncServer {
  const decisions = decisionsOf(app?.replica?.driver);
  if (decisions === undefined) {
    throw invalidArgument(
      'syncServer needs an app built on authoritativeDriver(driver) over the shared log: whizbang(name).build({ driver: authoritativeDriver(await jetstreamDriver(…)) }).',
    );
  }
  const authorize = options?.authorize ?? {};
  if (typeof authorize !== 'object' || authorize === null) {
    throw invalidArgument(
      'syncServer takes `authorize` as one hook per command type replicas may push (or give the receptors `authorize` hooks).',
    );
  }
  const scope = options.scope;
  if (
    scope !== undefined &&
    (typeof scope.groups !== 'function' || typeof scope.log?.readGroups !== 'function')
  ) {
    throw invalidArgument(
      '`scope` needs `groups` (principal → the groups they may see) and `log` (await jetstreamLedger({ …, group })).',
    );
  }
  const turns = new Turns();
  const tell = (request: PushRequest, answer: PushAnswer, principal: Principal): PushAnswer => {
    try {
      options.onDecided?.(request, answer, principal);
    } catch {
      // a reporting hook never changes the answer
    }
    return answer;
  };
  return {
    pull: (raw, principal) => servePull(scope, app, raw, principal),
    async decide(raw: unknown, principal: Principal): Promise<PushAnswer> {
      let request: PushRequest;
      try {
        request = parsePushRequest(raw);
      } catch (error) {
        return refused(error);
      }
      if (request.tenant !== principal.tenant) {
        return tell(
          request,
          forbidden(`User ${principal.userId} may not act in tenant "${request.tenant}".`),
          principal,
        );
      }
      const hook = Object.hasOwn(authorize, request.command.type)
        ? authorize[request.command.type]
        : undefined;
      if (hook === undefined && !app.replica.authorizes(request.command.type)) {
        return tell(
          request,
          forbidden(`Replicas may not push "${request.command.type}".`),
          principal,
        );
      }
      let verdict: boolean | string = true;
      try {
        if (hook !== undefined) verdict = await hook({ command: request.command, principal, app });
      } catch (error) {
        return tell(request, refused(error, request.command), principal);
      }
      if (verdict !== true) {
        const reason =
          typeof verdict === 'string'
            ? verdict
            : `User ${principal.userId} may not send "${request.command.type}".`;
        return tell(request, forbidden(reason), principal);
      }
      const answer = await turns.run(request.command.messageId, () =>
        decideOne(app, decisions, request, principal),
      );
      return tell(request, answer, principal);
    },
  };
}

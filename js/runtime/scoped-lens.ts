/**
 * Lenses scoped by principal: a server reads a perspective for one user through the filter the
 * perspective's `scope` gives for them, joined to every query (and so pushed down to the store
 * with it: SQL, IndexedDB indexes, memory), in the principal's tenant only. A function of its own,
 * outside the app object, so an app that never scopes a lens does not carry it.
 */
import type { FieldFilter, Page, Where } from '../contracts/query.ts';
import type { Perspective } from '../definitions/perspective.ts';
import type { Principal } from '../definitions/principal.ts';
import { compileWhere } from '../kit/predicate.ts';
import { checkQuery } from '../kit/query.ts';
import { ForbiddenError, invalidArgument, WhizbangError } from '../util/errors.ts';
import { same } from '../util/same.ts';
import { settle } from './live.ts';
import { checkPrincipal } from './principal.ts';
import type { LiveLens } from './types.ts';

/** A field's filter as operators (a plain value is `eq`). */
function operators(filter: Where[string] | undefined): Record<string, unknown> {
  return typeof filter === 'object' && filter !== null && !Array.isArray(filter)
    ? { ...filter }
    : { eq: filter };
}

const LOWER = new Set(['gt', 'gte']);
const UPPER = new Set(['lt', 'lte']);

/**
 * `where` and `scope` as one filter (both must hold), or null when no model can match both. Two
 * different values for one operator of one field are joined where the query language can say it
 * (`eq`, `in`, the bounds), and refused otherwise (INVALID_QUERY).
 */
export function narrow(where: Where | undefined, scope: Where, name: string): Where | null {
  if (where === undefined) return scope;
  const joined: Record<string, Where[string]> = { ...where };
  for (const field of Object.keys(scope)) {
    if (!Object.hasOwn(joined, field)) {
      joined[field] = scope[field]!;
      continue;
    }
    const ops = operators(joined[field]);
    const theirs = operators(scope[field]);
    for (const op of Object.keys(theirs)) {
      const a = ops[op];
      const b = theirs[op];
      if (!Object.hasOwn(ops, op) || same(a, b)) {
        ops[op] = b;
      } else if (op === 'in' && Array.isArray(a) && Array.isArray(b)) {
        const both = a.filter((v) => b.some((w) => same(v, w)));
        if (both.length === 0) return null;
        ops.in = both;
      } else if ((LOWER.has(op) || UPPER.has(op)) && typeof a === typeof b) {
        // the stricter bound of the two
        ops[op] = (a as number) > (b as number) === LOWER.has(op) ? a : b;
      } else if (op === 'eq') {
        return null;
      } else {
        throw new WhizbangError(
          'INVALID_QUERY',
          `The query filters "${field}" by \`${op}\` with another value than the scope of "${name}" does; filter that field by another operator.`,
        );
      }
    }
    joined[field] = ops as FieldFilter;
  }
  return joined;
}

/**
 * The lens of `perspective` in `app` as `principal` may read it: only the models its `scope`
 * gives for them, in their tenant (another tenant is refused with `FORBIDDEN`). `get`, `query`,
 * `first`, `count`, `page` and the live forms all answer through the scope.
 * @example
 * const mine = scopedLens(app, lists, { userId: 'ann', tenant: 'acme' });
 * await mine.query({ orderBy: { title: 'asc' } }); // Ann's lists and those shared with her
 */
export function scopedLens<M>(
  app: { lens<T>(perspective: Perspective<T, any>): LiveLens<T> },
  perspective: Perspective<M, any>,
  principal: Principal,
): LiveLens<M> {
  const { userId, tenant } = checkPrincipal(principal);
  if (typeof perspective?.scope !== 'function') {
    throw invalidArgument(
      `Perspective "${perspective?.name}" has no \`scope\` to read it by principal: add \`scope: (principal) => where\` to its definition (\`() => ({})\` for everyone in the tenant).`,
    );
  }
  const scope = perspective.scope(principal);
  checkQuery({ where: scope });
  const visible = compileWhere(scope);
  const lens = app.lens(perspective);
  const name = perspective.name;
  /** The principal's tenant; another one asked for is refused. */
  const own = (asked: string | undefined): string => {
    if (asked !== undefined && asked !== tenant) {
      throw new ForbiddenError(userId, `User ${userId} may not read "${name}" in "${asked}".`);
    }
    return tenant;
  };
  /** `q` in the principal's tenant with the scope joined to its filter; null when nothing can match. */
  const joined = <Q extends { readonly where?: Where; readonly tenant?: string }>(
    q: Q | undefined,
  ): (Q & { tenant: string; where: Where }) | null => {
    const where = narrow(q?.where, scope, name);
    return where === null ? null : ({ ...q, tenant: own(q?.tenant), where } as never);
  };
  /** Delivers `none` once, for a live form whose filter nothing can match; returns the unsubscribe. */
  const never = <T>(none: T, listener: (value: T) => void): (() => void) => {
    let open = true;
    void Promise.resolve().then(() => open && listener(none));
    return () => {
      open = false;
    };
  };
  const empty: Page<M> = { models: [], next: undefined };
  return {
    get: (id, options) =>
      settle(() => {
        const tenantOf = own(options?.tenant);
        return lens
          .get(id, { tenant: tenantOf })
          .then((m) => (m !== undefined && visible(m) ? m : undefined));
      }),
    query: (q) =>
      settle(() => {
        const j = joined(q);
        return j === null ? [] : lens.query(j);
      }),
    first: (q) =>
      settle(() => {
        const j = joined(q);
        return j === null ? undefined : lens.first(j);
      }),
    count: (q) =>
      settle(() => {
        const j = joined(q);
        return j === null ? 0 : lens.count(j);
      }),
    page: (q) =>
      settle(() => {
        const j = joined(q);
        return j === null ? empty : lens.page(j);
      }),
    watch(id, listener, options) {
      let last: { model: M | undefined } | undefined;
      return lens.watch(
        id,
        (model) => {
          const seen = model !== undefined && visible(model) ? model : undefined;
          if (seen === undefined && last !== undefined && last.model === undefined) return;
          last = { model: seen };
          listener(seen);
        },
        { ...options, tenant: own(options?.tenant) },
      );
    },
    live(q, listener, options) {
      const j = joined(q);
      return j === null ? never([], listener) : lens.live(j, listener, options);
    },
    liveCount(q, listener, options) {
      const j = joined(q);
      return j === null ? never(0, listener) : lens.liveCount(j, listener, options);
    },
  };
}

/** Views of frozen models: the lens-like reads of a time traveler, checked against what it replays. */

import type { RecordedEvent } from '../contracts/ledger.ts';
import type { Query } from '../contracts/query.ts';
import type { StoredModel } from '../contracts/store.ts';
import type { Perspective } from '../definitions/perspective.ts';
import { runQuery } from '../kit/query.ts';
import { DEFAULT_TENANT } from '../messages/envelope.ts';
import type { LiveLens } from '../runtime/types.ts';
import { invalidArgument } from '../util/errors.ts';
import { travelLens } from './live.ts';
import { type Frozen, rowOf, rowsOf } from './models.ts';
import type { TenantOption, TimeView } from './types.ts';

/** The perspectives a traveler replays and the tenant it is limited to. */
export class Scope {
  readonly #byName: ReadonlyMap<string, Perspective>;
  readonly #tenant: string | undefined;

  constructor(byName: ReadonlyMap<string, Perspective>, tenant: string | undefined) {
    this.#byName = byName;
    this.#tenant = tenant;
  }

  /** The name of a perspective the traveler replays; throws for any other. */
  name(perspective: Perspective<any, any>): string {
    const known = this.#byName.get(perspective?.name);
    if (known === undefined || known !== perspective) {
      throw invalidArgument(
        `Perspective "${perspective?.name}" is not one this time traveler replays; pass it in \`perspectives\`.`,
      );
    }
    return known.name;
  }

  /** The tenant to read: the traveler's own, else the one asked for, else `'default'`. */
  tenant(options: TenantOption | undefined): string {
    const asked = options?.tenant;
    const own = this.#tenant;
    if (own === undefined) return asked ?? DEFAULT_TENANT;
    if (asked !== undefined && asked !== own) {
      throw invalidArgument(
        `This time traveler sees only tenant "${own}"; make another with \`tenant: ${JSON.stringify(asked)}\`.`,
      );
    }
    return own;
  }
}

/** A view of frozen models as of `position`. */
export function viewOf(
  frozen: Frozen,
  position: number,
  event: RecordedEvent | undefined,
  scope: Scope,
): TimeView {
  const all = (p: Perspective<any, any>, options?: TenantOption): StoredModel[] =>
    rowsOf(frozen, scope.name(p), scope.tenant(options));
  const one = (p: Perspective<any, any>, id: string, options?: TenantOption) =>
    rowOf(frozen, scope.name(p), scope.tenant(options), id);
  const lenses = new Map<Perspective<any, any>, LiveLens<unknown>>(); // one per perspective
  const view: TimeView = {
    position,
    event,
    get: <M>(p: Perspective<M, any>, id: string, options?: TenantOption) =>
      one(p, id, options)?.model as M | undefined,
    row: <M>(p: Perspective<M, any>, id: string, options?: TenantOption) =>
      one(p, id, options) as StoredModel<M> | undefined,
    models: <M>(p: Perspective<M, any>, options?: TenantOption) => {
      const out = new Map<string, M>();
      for (const r of all(p, options)) out.set(r.id, r.model as M);
      return out;
    },
    query: <M>(p: Perspective<M, any>, query: Query & TenantOption = {}) => {
      const { tenant, ...rest } = query;
      const rows = all(p, tenant === undefined ? undefined : { tenant });
      return runQuery(rows, (r) => r.model, rest).map((r) => r.model as M);
    },
    lens: <M>(p: Perspective<M, any>) => {
      let lens = lenses.get(p);
      if (lens === undefined) {
        lens = travelLens(p, () => view);
        lenses.set(p, lens);
      }
      return lens as LiveLens<M>;
    },
  };
  return view;
}

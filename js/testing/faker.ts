/**
 * `whizbang/testing/faker`: the test data builders of `whizbang/testing` over the installed
 * `@faker-js/faker`, imported here statically, so bundlers and JSR see the optional peer where it
 * is used (and `whizbang/testing`, which does not import it, works without it).
 *
 * @example
 * ```ts
 * import { loadBuilders } from 'whizbang/testing/faker';
 *
 * const b = await loadBuilders({ seed: 42 });
 * const opened = b.build(AccountOpened, (f) => ({ accountId: f.string.uuid(), owner: f.person.fullName() }));
 * ```
 * @module
 */
import { base, en, Faker } from '@faker-js/faker';
import { type BuilderOptions, type Builders, builders } from './builders.ts';

/** Builders over a new faker instance (English) of the installed `@faker-js/faker`, seeded when `options.seed` is given. */
export async function loadBuilders(options: BuilderOptions = {}): Promise<Builders<Faker>> {
  return builders(new Faker({ locale: [en, base] }), options);
}

/** Values that are sometimes synchronous: the runtime stays synchronous until something awaits. */
export type MaybePromise<T> = T | Promise<T>;

/** True for promises and other thenables. */
export function isThenable<T>(value: unknown): value is PromiseLike<T> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Applies `next` to `value` now when it is ready, after it settles otherwise. */
export function chain<T, U>(
  value: MaybePromise<T>,
  next: (value: T) => MaybePromise<U>,
): MaybePromise<U> {
  return isThenable<T>(value) ? Promise.resolve(value).then(next) : next(value);
}

/** All of `items` once each is ready: synchronously when none is a promise. */
export function allOf<T>(items: readonly MaybePromise<T>[]): MaybePromise<T[]> {
  return items.some(isThenable) ? Promise.all(items) : (items as T[]);
}

/** Runs `fn` and returns its result, turning a synchronous throw into `onError`'s result. */
export function attempt<T>(
  fn: () => MaybePromise<T>,
  onError: (error: unknown) => MaybePromise<T>,
): MaybePromise<T> {
  let result: MaybePromise<T>;
  try {
    result = fn();
  } catch (error) {
    return onError(error);
  }
  return isThenable<T>(result) ? Promise.resolve(result).catch(onError) : result;
}

/** Calls `fn` on each item in order, staying synchronous until one of the calls returns a promise. */
export function each<T>(
  items: readonly T[],
  fn: (item: T, index: number) => MaybePromise<void>,
  start = 0,
): MaybePromise<void> {
  for (let i = start; i < items.length; i++) {
    const result = fn(items[i]!, i);
    if (isThenable(result)) return Promise.resolve(result).then(() => each(items, fn, i + 1));
  }
}

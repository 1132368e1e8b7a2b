/** Runs what `register` declares and returns one JSON line per result. */
export function runRegistered(register: () => void | Promise<void>): Promise<string>;

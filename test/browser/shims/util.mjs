// `util` in the test page: `inspect` (test names of `.each`), `types` (jest-util's error check).
export function inspect(value) {
  if (typeof value === 'string') return `'${value}'`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
export const isNativeError = (value) => value instanceof Error;
export const types = { isNativeError };
export default { inspect, types };

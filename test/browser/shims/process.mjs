// `process` for Node-minded packages bundled into the test page (jest's `expect` and its helpers).
export const process = {
  env: { NODE_ENV: 'test' },
  platform: 'browser',
  argv: [],
  version: '',
  versions: {},
  stdout: { isTTY: false },
  stderr: { isTTY: false },
  cwd: () => '/',
  emitWarning: () => {},
  nextTick: (fn, ...args) => queueMicrotask(() => fn(...args)),
};
export default process;

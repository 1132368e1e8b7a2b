// node:fs/promises for the Node entry of whizbang/wasm, bundled into the test page but not used
// there: a browser loads the core through the default entry, which fetches it.
export const readFile = () =>
  Promise.reject(new Error('node:fs/promises is not available in a browser.'));

// `node:module` in the test page: the runtimes shim loads jest's `expect` through createRequire.
import * as expect from 'expect';

export function createRequire() {
  return (id) => {
    if (id === 'expect') return expect;
    throw new Error(`The test page cannot require "${id}".`);
  };
}
export default { createRequire };

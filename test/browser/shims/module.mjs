// `module` in the test page: no built-in modules (stack-utils lists them to shorten stacks).
export const builtinModules = [];
export default { builtinModules };

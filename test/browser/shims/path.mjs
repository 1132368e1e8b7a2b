// The little of `path` that jest's message formatting calls in the test page.
export const sep = '/';
export const isAbsolute = (p) => String(p).startsWith('/');
export const join = (...parts) => parts.join('/').replace(/\/+/g, '/');
export const resolve = (...parts) => join('/', ...parts);
export const relative = (_from, to) => String(to);
export const dirname = (p) => String(p).replace(/\/[^/]*$/, '') || '/';
export const basename = (p) => String(p).replace(/^.*\//, '');
export const extname = (p) => /\.[^./]*$/.exec(String(p))?.[0] ?? '';
export default { sep, isAbsolute, join, resolve, relative, dirname, basename, extname };

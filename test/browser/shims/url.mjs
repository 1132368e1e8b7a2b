// `url` for jest's stack-trace formatting in the test page.
export const fileURLToPath = (url) => String(url).replace(/^file:\/\//, '');
export const pathToFileURL = (path) => new URL(`file://${path}`);
export default { fileURLToPath, pathToFileURL };

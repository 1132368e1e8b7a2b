import type { IndexedDbPart } from "./context.ts"; export const segmentsSuite: IndexedDbPart = () => {};

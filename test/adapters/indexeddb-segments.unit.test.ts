import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { indexedDbSegmentsSuite } from './indexeddb-segments-suite.ts';

// The segment store on fake-indexeddb; test/browser/ runs the same suite in Chromium.
const indexedDB = new IDBFactory();
let n = 0;
const freshName = () => `segments-${++n}`;
indexedDbSegmentsSuite('indexeddb (fake-indexeddb)', { indexedDB, IDBKeyRange, freshName });

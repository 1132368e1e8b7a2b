/**
 * The bank with transfers run by its saga, as "a user's app" module for the command line:
 * `whizbang devtools --app examples/bank/app.ts` (and `whizbang rebuild <perspective> --app …`)
 * build the exported `app` on their own driver. The other exports are the domain's commands,
 * events, receptors and perspectives, which devtools lists.
 */
import { withSaga } from '../../js/saga/mod.ts';
import { sagaBankBuilder, transferSaga } from './transfer-saga.ts';

export * from './domain.ts';
export * from './transfer-saga.ts';

/** The app's builder, not built. */
export const app = withSaga(sagaBankBuilder(), transferSaga);

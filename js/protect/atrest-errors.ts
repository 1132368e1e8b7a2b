/** The errors of encryption at rest: a replica opened without its key, with another key, tampered or in clear. */
import { WhizbangError } from '../util/errors.ts';

/** The replica is encrypted at rest (or encryption was asked for) and no key was given. */
export function atRestKeyRequired(encrypted: boolean): WhizbangError {
  return new WhizbangError(
    'AT_REST_KEY_REQUIRED',
    encrypted
      ? 'This replica is encrypted at rest and cannot be opened without its key: pass the key the app derives from the login ' +
          '(or receives from the server after authentication) as encryptAtRest(driver, { key }); nothing was read.'
      : 'encryptAtRest needs a key: an AES-GCM CryptoKey with the usages ["encrypt", "decrypt"] (derive it from the login with ' +
          'PBKDF2 or HKDF, or import the one the server hands out); nothing was read or written.',
  );
}

/** The key given is not the one the replica was encrypted with. */
export function atRestKeyMismatch(cause?: unknown): WhizbangError {
  return new WhizbangError(
    'AT_REST_KEY_MISMATCH',
    'This replica is encrypted at rest with another key than the one given: its key check did not decrypt. ' +
      "Open it with the key it was created with (the same login, the same server's key); if that key is lost, " +
      'delete the local database and pull the data again through sync. Nothing was read or written.',
    { cause },
  );
}

/** A stored record did not authenticate: its ciphertext was changed, moved, or written in clear. */
export function atRestTampered(what: string, cause?: unknown): WhizbangError {
  return new WhizbangError(
    'AT_REST_TAMPERED',
    `The ${what} in this encrypted replica did not authenticate: its stored bytes were changed, cut, moved from another record, ` +
      'or written in clear by something other than encryptAtRest. Its content is withheld; delete the local database and pull ' +
      'the data again through sync, or find what wrote to it.',
    { cause },
  );
}

/** A key was given for a database that already holds data in clear. */
export function atRestClearData(): WhizbangError {
  return new WhizbangError(
    'AT_REST_CLEAR_DATA',
    'This database already holds events in clear, written without encryptAtRest: encrypting from now on would mix clear and ' +
      'encrypted records. Open it without encryptAtRest, or start an encrypted replica on a new, empty database (a new file or ' +
      'IndexedDB name) and fill it through sync or by appending the old events to it. Nothing was written.',
  );
}

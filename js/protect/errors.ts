/** The errors of `whizbang/protect`: tampered ciphertext and a master key that does not fit. */
import { WhizbangError } from '../util/errors.ts';

/** Where a protected value failed to decrypt: the event and the field. */
export interface TamperedAt {
  /** The stream of the event. */
  readonly streamId: string;
  /** The event's global position. */
  readonly position: number;
  /**
   * The paths of the event's sealed fields, joined with `, ` (they are authenticated together,
   * so the one that changed is not known).
   */
  readonly path: string;
}

/**
 * An event's protected fields did not authenticate (AES-GCM): a ciphertext changed, cut, or moved
 * from another event, field or subject, or the list of sealed fields changed. No value is returned.
 */
export class TamperedDataError extends WhizbangError {
  /** The error's name, for logs. */
  override name = 'TamperedDataError';
  /** The stream of the event. */
  readonly streamId: string;
  /** The event's global position. */
  readonly position: number;
  /** The paths of the event's sealed fields, joined with `, `. */
  readonly path: string;

  /** The values at `at` did not authenticate. */
  constructor(at: TamperedAt, options?: { cause?: unknown }) {
    super(
      'PROTECTED_DATA_TAMPERED',
      `The protected fields "${at.path}" of the event at position ${at.position} (stream "${at.streamId}") ` +
        'did not authenticate: its stored ciphertext was changed or moved from another event, field or subject. ' +
        'Their values are withheld; restore the event from a backup or find who wrote to the store.',
      options,
    );
    this.streamId = at.streamId;
    this.position = at.position;
    this.path = at.path;
  }
}

/** A subject's stored data key could not be unwrapped: the master key is not the one it was wrapped with. */
export function masterKeyMismatch(subject: string, cause?: unknown): WhizbangError {
  return new WhizbangError(
    'MASTER_KEY_MISMATCH',
    `The data key of subject "${subject}" could not be unwrapped with the master key given (or its stored bytes were changed). ` +
      'Start the app with the master key the keys were created with; nothing was decrypted.',
    { cause },
  );
}

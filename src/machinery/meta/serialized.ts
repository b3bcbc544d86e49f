/**
 * A stored state's response bytes, shared between requests: the watch cache hands one out
 * with each object it serves, and the encoders ask it before encoding. A variant names
 * one serialization (media type, served version, whole object or list item); the bytes of
 * a variant depend on nothing but the stored state, so a memo is tied to one state and a
 * change of the object makes a new memo (never a stale answer).
 */
export interface SerializedMemo {
  /** The bytes of `variant`, when they are held. */
  get(variant: string): Uint8Array | undefined;
  /** Offers the bytes of `variant` (they may be dropped at once when the budget is spent); returns them. */
  put(variant: string, bytes: Uint8Array): Uint8Array;
}

/** The bytes of `variant` from `memo`, else `encode()`'s (offered to the memo). */
export function serializedOnce(memo: SerializedMemo | undefined, variant: string, encode: () => Uint8Array): Uint8Array {
  if (!memo) return encode();
  return memo.get(variant) ?? memo.put(variant, encode());
}

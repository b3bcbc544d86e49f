/**
 * The secretbox provider's cipher (upstream's storage/value/encrypt/secretbox): NaCl
 * secretbox (XSalsa20-Poly1305, @noble/ciphers) with a 32-byte key; a random 24-byte nonce,
 * then the box (tag first, as NaCl writes it). Nothing binds it to the storage key.
 */
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { secretbox } from '@noble/ciphers/salsa.js';
import type { ValueTransformer } from './transformer.js';

const NONCE = 24;
const TAG = 16;

/** Secretbox with a random nonce per write. */
export function secretboxTransformer(key: Uint8Array): ValueTransformer {
  if (key.byteLength !== 32) throw new Error(`expected key size 32 for secretbox provider, got ${key.byteLength}`);
  const own = new Uint8Array(key);
  return {
    fromStorage(data) {
      if (data.byteLength < NONCE + TAG) throw new Error('the stored data was shorter than the required size');
      try {
        // Copies: the library wants plain, non-overlapping arrays.
        const plain = secretbox(own, new Uint8Array(data.subarray(0, NONCE))).open(new Uint8Array(data.subarray(NONCE)));
        return { data: Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength), stale: false };
      } catch {
        throw new Error('output array was not large enough for encryption');
      }
    },
    toStorage(data) {
      const nonce = new Uint8Array(randomBytes(NONCE));
      const box = secretbox(own, nonce).seal(new Uint8Array(data));
      return Buffer.concat([nonce, box]);
    },
  };
}

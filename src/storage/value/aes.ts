/**
 * The aesgcm and aescbc providers' ciphers (upstream's storage/value/encrypt/aes), with
 * node:crypto. AES-GCM: a random 12-byte nonce, then the sealed value with its 16-byte tag,
 * the storage key as additional authenticated data. AES-CBC: a random 16-byte IV, then the
 * PKCS#7-padded value; nothing binds it to the key.
 */
import { Buffer } from 'node:buffer';
import { createCipheriv, createDecipheriv, randomBytes, type CipherGCMTypes } from 'node:crypto';
import type { ValueTransformer } from './transformer.js';

const GCM_NONCE = 12;
const GCM_TAG = 16;
const BLOCK = 16;
const SHORT = 'the stored data was shorter than the required size';

function keyBits(key: Uint8Array): 128 | 192 | 256 {
  const bits = key.byteLength * 8;
  if (bits !== 128 && bits !== 192 && bits !== 256) throw new Error(`crypto/aes: invalid key size ${key.byteLength}`);
  return bits;
}

/** AES-GCM with a random nonce per write. */
export function aesGcmTransformer(key: Uint8Array): ValueTransformer {
  const name: CipherGCMTypes = `aes-${keyBits(key)}-gcm`;
  return {
    fromStorage(data, storageKey) {
      if (data.byteLength < GCM_NONCE + GCM_TAG) throw new Error(SHORT);
      const decipher = createDecipheriv(name, key, data.subarray(0, GCM_NONCE), { authTagLength: GCM_TAG });
      decipher.setAAD(Buffer.from(storageKey));
      decipher.setAuthTag(data.subarray(data.byteLength - GCM_TAG));
      try {
        const plain = Buffer.concat([decipher.update(data.subarray(GCM_NONCE, data.byteLength - GCM_TAG)), decipher.final()]);
        return { data: plain, stale: false };
      } catch {
        throw new Error('cipher: message authentication failed');
      }
    },
    toStorage(data, storageKey) {
      const nonce = randomBytes(GCM_NONCE);
      const cipher = createCipheriv(name, key, nonce, { authTagLength: GCM_TAG });
      cipher.setAAD(Buffer.from(storageKey));
      const sealed = Buffer.concat([cipher.update(data), cipher.final()]);
      return Buffer.concat([nonce, sealed, cipher.getAuthTag()]);
    },
  };
}

/** AES-CBC with a random IV per write and PKCS#7 padding. */
export function aesCbcTransformer(key: Uint8Array): ValueTransformer {
  const name = `aes-${keyBits(key)}-cbc`;
  return {
    fromStorage(data) {
      if (data.byteLength < BLOCK) throw new Error(SHORT);
      const body = data.subarray(BLOCK);
      if (body.byteLength % BLOCK !== 0) throw new Error('the stored data is not a multiple of the block size');
      if (body.byteLength === 0) throw new Error('invalid PKCS7 data (empty or not padded)');
      const decipher = createDecipheriv(name, key, data.subarray(0, BLOCK));
      try {
        return { data: Buffer.concat([decipher.update(body), decipher.final()]), stale: false };
      } catch {
        throw new Error('invalid padding on input');
      }
    },
    toStorage(data) {
      const iv = randomBytes(BLOCK);
      const cipher = createCipheriv(name, key, iv);
      return Buffer.concat([iv, cipher.update(data), cipher.final()]);
    },
  };
}

import { StorageError } from './errors.js';

/** Decoded list continuation: the pinned revision and the absolute next key. */
export interface ContinuePosition {
  revision: number;
  startKey: string;
}

const API_VERSION = 'meta.k8s.io/v1';

function invalid(detail: string): StorageError {
  return new StorageError('InvalidObject', `continue key is not valid: ${detail}`);
}

/**
 * Encode a continue token: base64url of `{"v":"meta.k8s.io/v1","rv":REV,"start":NEXT}`
 * where NEXT is the next key relative to the list prefix.
 */
export function encodeContinue(nextKey: string, prefix: string, revision: number): string {
  if (!nextKey.startsWith(prefix)) throw new Error(`continue key ${nextKey} is outside prefix ${prefix}`);
  const json = JSON.stringify({ v: API_VERSION, rv: revision, start: nextKey.slice(prefix.length) });
  return Buffer.from(json, 'utf8').toString('base64url');
}

/** Decode and validate a continue token against the list prefix. Throws InvalidObject. */
export function decodeContinue(token: string, prefix: string): ContinuePosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid('not base64-encoded JSON');
  }
  if (parsed === null || typeof parsed !== 'object') throw invalid('not a JSON object');
  const { v, rv, start } = parsed as { v?: unknown; rv?: unknown; start?: unknown };
  if (v !== API_VERSION) throw invalid(`unsupported version ${JSON.stringify(v)}`);
  if (typeof rv !== 'number' || !Number.isSafeInteger(rv) || rv <= 0) throw invalid('incorrect encoded start resourceVersion');
  if (typeof start !== 'string' || start.length === 0) throw invalid('encoded start key empty');
  // The start key must stay below the prefix: no absolute keys, no parent-directory hops.
  if (start.startsWith('/') || start.split('/').some((seg) => seg === '..' || seg === '.')) throw invalid(start);
  return { revision: rv, startKey: prefix + start };
}

/**
 * List continue tokens as kube-apiserver writes and reads them: base64url (no padding) of
 * `{"v":"meta.k8s.io/v1","rv":REV,"start":NEXT}` with NEXT relative to the list prefix.
 * A token with a negative revision continues at the latest revision (upstream hands one
 * out when the pinned revision was compacted). Malformed tokens fail with upstream's words.
 */
import { posix } from 'node:path';
import { goJsonSyntaxError } from '../machinery/schema/go-json-syntax.js';
import { StorageError } from './errors.js';

/** Decoded list continuation: the pinned revision (undefined: the latest) and the absolute next key. */
export interface ContinuePosition {
  revision?: number;
  startKey: string;
}

const API_VERSION = 'meta.k8s.io/v1';
const NOT_VALID = 'continue key is not valid';

function invalid(detail: string): StorageError {
  return new StorageError('InvalidObject', `invalid continue token: ${detail}`);
}

/**
 * Encode a continue token for `nextKey` (absolute, under `prefix`) at `revision`; -1 means
 * "continue at the latest revision".
 */
export function encodeContinue(nextKey: string, prefix: string, revision: number): string {
  if (!nextKey.startsWith(prefix) || nextKey === prefix) throw new Error(`continue key ${nextKey} is outside prefix ${prefix}`);
  const json = JSON.stringify({ v: API_VERSION, rv: revision, start: nextKey.slice(prefix.length) });
  return Buffer.from(json, 'utf8').toString('base64url');
}

const BASE64URL = /^[A-Za-z0-9_-]$/;

/** Go's base64.RawURLEncoding: the bytes, or the offset Go reports as "illegal base64 data at input byte N". */
function decodeRawUrl(token: string): Buffer | number {
  for (let i = 0; i < token.length; i++) if (!BASE64URL.test(token[i]!)) return i;
  if (token.length % 4 === 1) return token.length - 1;
  return Buffer.from(token, 'base64url');
}

/** Go's name of a JSON value's type in an unmarshal type error. */
function goJsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'boolean') return 'bool';
  return typeof v; // number, string
}

/** Decode and validate a continue token against the list prefix. Throws InvalidObject with upstream's message. */
export function decodeContinue(token: string, prefix: string): ContinuePosition {
  const data = decodeRawUrl(token);
  if (typeof data === 'number') throw invalid(`${NOT_VALID}: illegal base64 data at input byte ${data}`);
  const syntax = goJsonSyntaxError(data);
  if (syntax) throw invalid(`${NOT_VALID}: ${syntax}`);
  const parsed: unknown = JSON.parse(data.toString('utf8'));
  // JSON null leaves Go's struct empty; any other non-object is a type error.
  if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed))) {
    throw invalid(`${NOT_VALID}: json: cannot unmarshal ${goJsonType(parsed)} into Go value of type storage.continueToken`);
  }
  const fields = (parsed ?? {}) as Record<string, unknown>;
  const expect: [string, string, (v: unknown) => boolean][] = [
    ['v', 'string', (v) => typeof v === 'string'],
    ['rv', 'int64', (v) => typeof v === 'number' && Number.isInteger(v)],
    ['start', 'string', (v) => typeof v === 'string'],
  ];
  for (const [name, goType, ok] of expect) {
    const v = fields[name];
    if (v !== undefined && v !== null && !ok(v)) {
      const what = typeof v === 'number' ? `number ${String(v)}` : goJsonType(v);
      throw invalid(`${NOT_VALID}: json: cannot unmarshal ${what} into Go struct field continueToken.${name} of type ${goType}`);
    }
  }
  const v = typeof fields.v === 'string' ? fields.v : '';
  const rv = typeof fields.rv === 'number' ? fields.rv : 0;
  const start = typeof fields.start === 'string' ? fields.start : '';
  if (v !== API_VERSION) throw invalid(`${NOT_VALID}: server does not recognize this encoded version ${v}`);
  if (rv === 0) throw invalid(`${NOT_VALID}: incorrect encoded start resourceVersion (version meta.k8s.io/v1)`);
  if (start.length === 0) throw invalid(`${NOT_VALID}: encoded start key empty (version meta.k8s.io/v1)`);
  // The start key must stay below the prefix: it has to be a clean path already.
  const key = start.startsWith('/') ? start : `/${start}`;
  if (goCleanPath(key) !== key) throw invalid(`${NOT_VALID}: ${start}`);
  return { ...(rv > 0 ? { revision: rv } : {}), startKey: prefix + key.slice(1) };
}

/** Go's path.Clean for an absolute path: no `.`/`..` segments, no doubled or trailing slashes. */
function goCleanPath(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** Query string → typed call options (booleans as Go's ParseBool, integers checked). */
import { badRequest } from '../../machinery/errors/index.js';
import { parseBool } from '../../util/parse-bool.js';
import type { CallOptions } from '../../endpoints/api-call.js';
import { parseGoDuration } from '../../util/go-duration.js';

type Query = Record<string, string | string[] | undefined>;

/** A repeated scalar parameter counts once, by its first value (as upstream's query conversion). */
function one(q: Query, key: string): string | undefined {
  const v = q[key];
  return Array.isArray(v) ? v[0] : v;
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

function bool(q: Query, key: string): boolean | undefined {
  try {
    return parseBool(one(q, key));
  } catch (err) {
    throw badRequest(`invalid ${key} parameter: ${(err as Error).message}`);
  }
}

function int(q: Query, key: string): number | undefined {
  const v = one(q, key);
  if (v === undefined || v === '') return undefined;
  if (!/^[-+]?\d+$/.test(v)) throw badRequest(`invalid ${key} parameter: strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  const n = BigInt(v);
  if (n > INT64_MAX || n < INT64_MIN) {
    throw badRequest(`invalid ${key} parameter: strconv.ParseInt: parsing ${JSON.stringify(v)}: value out of range`);
  }
  return Number(n);
}

/** Whether the request asks for a watch (`watch=true|True|1…`). */
export function isWatch(q: Query): boolean {
  return bool(q, 'watch') === true;
}

/** Reads every option Kubernetes accepts on the query string. */
export function parseCallOptions(q: Query): CallOptions {
  const o: CallOptions = {};
  const str = (key: keyof CallOptions & string): void => {
    const v = one(q, key);
    if (v !== undefined) (o as Record<string, unknown>)[key] = v;
  };
  str('labelSelector');
  str('fieldSelector');
  str('resourceVersion');
  str('resourceVersionMatch');
  str('continue');
  str('fieldManager');
  str('fieldValidation');
  str('propagationPolicy');
  const limit = int(q, 'limit');
  if (limit !== undefined) o.limit = limit;
  const timeout = int(q, 'timeoutSeconds');
  if (timeout !== undefined) o.timeoutSeconds = timeout;
  const grace = int(q, 'gracePeriodSeconds');
  if (grace !== undefined) o.gracePeriodSeconds = grace;
  const bookmarks = bool(q, 'allowWatchBookmarks');
  if (bookmarks !== undefined) o.allowWatchBookmarks = bookmarks;
  const initial = bool(q, 'sendInitialEvents');
  if (initial !== undefined) o.sendInitialEvents = initial;
  const force = bool(q, 'force');
  if (force !== undefined) o.force = force;
  const orphan = bool(q, 'orphanDependents');
  if (orphan !== undefined) o.orphanDependents = orphan;
  const dryRun = q.dryRun;
  if (dryRun !== undefined) o.dryRun = Array.isArray(dryRun) ? dryRun : [dryRun];
  return o;
}

/**
 * `?timeout=` (a Go duration, e.g. `5s`) in milliseconds, or undefined when absent; a malformed
 * one is upstream's 400. Zero or negative leaves the server's request timeout in force.
 */
export function requestTimeoutMs(q: Query): number | undefined {
  const v = one(q, 'timeout');
  if (v === undefined || v === '') return undefined;
  try {
    return parseGoDuration(v);
  } catch (err) {
    throw badRequest(`invalid timeout specified in the request URL - ${(err as Error).message}`);
  }
}

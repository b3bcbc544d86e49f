/**
 * Credentials from request headers (HTTP) or metadata (gRPC), which share names:
 * `authorization`, `impersonate-user`, `impersonate-group`, `impersonate-uid`,
 * `impersonate-extra-<key>`. Carried for authentication; nothing here checks them.
 */
import type { Credentials, Impersonation } from '../api-call.js';

/** Reads every value of a lowercase header or metadata key. */
export type HeaderValues = (name: string) => string[];

const EXTRA_PREFIX = 'impersonate-extra-';

/** Credentials from headers; `keys` lists the lowercase header names present. */
export function credentialsFromHeaders(values: HeaderValues, keys: Iterable<string>): Credentials {
  const out: Credentials = {};
  const auth = values('authorization')[0];
  const bearer = auth ? /^bearer\s+(\S+)\s*$/i.exec(auth) : null;
  if (bearer?.[1]) out.bearerToken = bearer[1];
  const user = values('impersonate-user')[0];
  const groups = values('impersonate-group');
  const uid = values('impersonate-uid')[0];
  const extra: Record<string, string[]> = {};
  for (const key of keys) {
    if (!key.startsWith(EXTRA_PREFIX)) continue;
    // Extra keys are percent-encoded in header names (upstream decodes them).
    extra[decodeURIComponent(key.slice(EXTRA_PREFIX.length))] = values(key);
  }
  if (user !== undefined || groups.length > 0 || uid !== undefined || Object.keys(extra).length > 0) {
    const impersonation: Impersonation = { groups, extra };
    if (user !== undefined) impersonation.user = user;
    if (uid !== undefined) impersonation.uid = uid;
    out.impersonation = impersonation;
  }
  return out;
}

/**
 * Authentication, as kube-apiserver's chain: the credentials a call presents are tried in
 * turn (in-process identity, x509 client certificates, then bearer tokens); the first that proves a user wins. A
 * presented credential that proves nobody is a 401, never anonymous. A call presenting
 * nothing runs as `system:anonymous` where anonymous access is allowed: everywhere, nowhere,
 * or only on the open paths (health, version, `/.well-known/`).
 */
import { unauthorized } from '../../machinery/errors/index.js';
import type { Credentials, UserInfo } from '../api-call.js';
import { ANONYMOUS, withAuthenticatedGroup } from './user.js';

/**
 * Checks a bearer token: the user it proves, undefined when it is not this authenticator's (the
 * next one is asked), or null when it is this authenticator's and does not hold (refused at once).
 */
export type TokenAuthenticator = (token: string) => UserInfo | undefined | null | Promise<UserInfo | undefined | null>;

/** Where anonymous requests are accepted (then authorised as `system:anonymous`). */
export type AnonymousAccess = 'all' | 'open-paths' | 'none';

/** Non-resource paths anonymous requests may reach with `open-paths` (exact, or below a prefix ending in `/`). */
export const OPEN_PATHS: readonly string[] = ['/livez', '/readyz', '/healthz', '/version', '/.well-known/'];

export interface AuthenticatorOptions {
  tokens: TokenAuthenticator[];
  anonymous: AnonymousAccess;
}

/** Finds who a request is, or throws 401. `path` is the URL path of a non-resource request. */
export type Authenticate = (credentials: Credentials, path?: string) => Promise<UserInfo>;

function isOpenPath(path: string): boolean {
  return OPEN_PATHS.some((open) => (open.endsWith('/') ? path.startsWith(open) : path === open || path.startsWith(`${open}/`)));
}

/** The authentication chain. */
export function createAuthenticator(opts: AuthenticatorOptions): Authenticate {
  return async (credentials, path) => {
    // x509 first: a client certificate the handshake verified names the user (CN) and groups (O).
    const cert = credentials.clientCertificate;
    if (cert?.verified && cert.commonName) return withAuthenticatedGroup({ name: cert.commonName, groups: [...cert.organizations] });
    const token = credentials.bearerToken;
    if (token !== undefined) {
      for (const check of opts.tokens) {
        const user = await check(token);
        if (user === null) break;
        if (user) return withAuthenticatedGroup(user);
      }
      throw unauthorized();
    }
    // A certificate that did not verify proves nobody, and is not anonymous either.
    if (cert) throw unauthorized();
    if (opts.anonymous === 'all' || (opts.anonymous === 'open-paths' && path !== undefined && isOpenPath(path))) return ANONYMOUS;
    throw unauthorized();
  };
}

/** A fixed table of tokens: the admin token, `--token-auth-file`. */
export function staticTokens(entries: ReadonlyMap<string, UserInfo>): TokenAuthenticator {
  return (token) => entries.get(token);
}

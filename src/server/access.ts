/**
 * The server's access control from its options: the admin token (written beside the
 * kubeconfig, a `system:masters` user), `--token-auth-file`, `--anonymous-auth` and the
 * `--authorization-mode` chain over the served RBAC objects.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { UserInfo } from '../endpoints/api-call.js';
import { createAccessControl, type AccessControl } from '../endpoints/auth/access.js';
import { createAuthenticator, staticTokens, type AnonymousAccess, type TokenAuthenticator } from '../endpoints/auth/authenticator.js';
import { parseTokenFile } from '../endpoints/auth/token-file.js';
import { SYSTEM_MASTERS } from '../endpoints/auth/user.js';
import type { Authorizer } from '../endpoints/authz/attributes.js';
import { alwaysAllow, alwaysDeny, parseAuthorizationModes, unionAuthorizer } from '../endpoints/authz/authorizer.js';
import { catalogPolicySource } from '../endpoints/authz/rbac-policy.js';
import { rbacAuthorizer } from '../endpoints/authz/rbac.js';
import type { ApiCatalog } from '../endpoints/catalog.js';
import type { ServerOptions } from './options.js';

/** The user the admin kubeconfig authenticates as. */
export const ADMIN_USER: Readonly<UserInfo> = Object.freeze({ name: 'admin', groups: [SYSTEM_MASTERS] });

/** The admin kubeconfig's token: kept in the data directory (0600) and reused across restarts. */
export async function adminToken(dataDir: string): Promise<string> {
  const path = join(dataDir, 'admin-token');
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    const token = randomBytes(24).toString('hex');
    await writeFile(path, token + '\n', { mode: 0o600 });
    return token;
  }
}

function anonymousAccess(opts: Pick<ServerOptions, 'anonymousAuth'>): AnonymousAccess {
  return opts.anonymousAuth === undefined ? 'open-paths' : opts.anonymousAuth ? 'all' : 'none';
}

/** Builds the access control the pipeline and the HTTP gateway share. */
export async function serverAccessControl(opts: ServerOptions, catalog: ApiCatalog, admin: string): Promise<AccessControl> {
  const tokens: TokenAuthenticator[] = [staticTokens(new Map([[admin, { ...ADMIN_USER, groups: [...ADMIN_USER.groups] }]]))];
  if (opts.tokenAuthFile) tokens.push(staticTokens(parseTokenFile(await readFile(opts.tokenAuthFile, 'utf8'), opts.tokenAuthFile)));
  const authenticate = createAuthenticator({ tokens, anonymous: anonymousAccess(opts) });
  const authorizers: Authorizer[] = parseAuthorizationModes(opts.authorizationMode).map((mode) => {
    switch (mode) {
      case 'AlwaysAllow':
        return alwaysAllow;
      case 'AlwaysDeny':
        return alwaysDeny;
      case 'RBAC':
        return rbacAuthorizer(catalogPolicySource(catalog));
    }
  });
  return createAccessControl(authenticate, unionAuthorizer(authorizers));
}

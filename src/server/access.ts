/**
 * The server's access control from its options: x509 client certificates, the admin token
 * (written beside the kubeconfig, a `system:masters` user), `--token-auth-file`, service
 * account tokens, `--anonymous-auth` and the
 * `--authorization-mode` chain over the served RBAC objects.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { UserInfo } from '../endpoints/api-call.js';
import { createAccessControl, type AccessControl } from '../endpoints/auth/access.js';
import { createAuthenticator, staticTokens, type AnonymousAccess, type TokenAuthenticator } from '../endpoints/auth/authenticator.js';
import { parseTokenFile } from '../endpoints/auth/token-file.js';
import { serviceAccountTokenAuthenticator } from '../endpoints/auth/serviceaccount-tokens.js';
import { coreObjectLookup } from '../endpoints/core-lookup.js';
import type { ServiceAccountKeys } from './service-account-keys.js';
import { SYSTEM_MASTERS } from '../endpoints/auth/user.js';
import type { AuthorizationAttributes, Authorizer } from '../endpoints/authz/attributes.js';
import { alwaysAllow, alwaysDeny, parseAuthorizationModes, unionAuthorizer } from '../endpoints/authz/authorizer.js';
import { catalogPolicySource } from '../endpoints/authz/rbac-policy.js';
import { rbacAuthorizer } from '../endpoints/authz/rbac.js';
import { nodeAuthorizer } from '../endpoints/authz/node.js';
import type { ApiCatalog } from '../endpoints/catalog.js';
import type { ServerOptions } from './options.js';
import type { ReviewAccess, ReviewRules } from '../registry/rest/definition.js';
import type { RequestUser } from '../registry/rest/strategy.js';

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
  return opts.anonymousAuth === 'open-paths' ? 'open-paths' : opts.anonymousAuth ? 'all' : 'none';
}

/** Builds the access control the pipeline and the HTTP gateway share. */
export async function serverAccessControl(opts: ServerOptions, catalog: ApiCatalog, admin: string, saKeys: ServiceAccountKeys): Promise<AccessControl> {
  const tokens: TokenAuthenticator[] = [staticTokens(new Map([[admin, { ...ADMIN_USER, groups: [...ADMIN_USER.groups] }]]))];
  if (opts.tokenAuthFile) tokens.push(staticTokens(parseTokenFile(await readFile(opts.tokenAuthFile, 'utf8'), opts.tokenAuthFile)));
  tokens.push(serviceAccountTokenAuthenticator({ issuers: saKeys.issuers, audiences: saKeys.audiences, keys: saKeys.verifyKeys, lookup: coreObjectLookup(catalog) }));
  const authenticate = createAuthenticator({ tokens, anonymous: anonymousAccess(opts) });
  const authorizers: Authorizer[] = parseAuthorizationModes(opts.authorizationMode).map((mode) => {
    switch (mode) {
      case 'AlwaysAllow':
        return alwaysAllow;
      case 'AlwaysDeny':
        return alwaysDeny;
      case 'Node':
        return nodeAuthorizer(catalog);
      case 'RBAC':
        return rbacAuthorizer(catalogPolicySource(catalog));
    }
  });
  return createAccessControl(authenticate, unionAuthorizer(authorizers));
}

/** The access reviews' view of the access control (TokenReview, SubjectAccessReview, SelfSubjectRulesReview). */
export function reviewAccessOf(access: AccessControl): ReviewAccess {
  const asUser = (u: RequestUser): UserInfo => {
    const user: UserInfo = { name: u.name, groups: [...u.groups] };
    if (u.uid) user.uid = u.uid;
    if (u.extra) user.extra = Object.fromEntries(Object.entries(u.extra).map(([k, v]) => [k, [...v]]));
    return user;
  };
  return {
    async authorize(u, request) {
      const user = asUser(u);
      const attributes: AuthorizationAttributes =
        'resource' in request
          ? {
              user,
              verb: request.resource.verb,
              resourceRequest: true,
              apiGroup: request.resource.group,
              apiVersion: request.resource.version,
              resource: request.resource.resource,
              subresource: request.resource.subresource,
              namespace: request.resource.namespace,
              name: request.resource.name,
            }
          : { user, verb: request.nonResource.verb, resourceRequest: false, path: request.nonResource.path };
      const d = await access.authorizer.authorize(attributes);
      return { allowed: d.decision === 'allow', denied: d.decision === 'deny', reason: d.reason };
    },
    async rules(u, namespace) {
      const r = (await access.authorizer.rulesFor?.(asUser(u), namespace)) ?? { resourceRules: [], nonResourceRules: [], incomplete: true, errors: [] };
      const out: ReviewRules = { resourceRules: r.resourceRules, nonResourceRules: r.nonResourceRules, incomplete: r.incomplete };
      if (r.errors.length > 0) out.evaluationError = r.errors.length === 1 ? (r.errors[0] ?? '') : `[${r.errors.join(', ')}]`;
      return out;
    },
    async authenticateToken(token) {
      try {
        return await access.identify({ bearerToken: token });
      } catch {
        return undefined;
      }
    },
  };
}

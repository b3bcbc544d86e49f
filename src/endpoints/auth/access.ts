/**
 * Access control, the one place every request passes whatever its transport: authentication
 * (who), impersonation (as whom), authorization (may they). Resource requests pass through
 * the pipeline's interceptor; non-resource paths (discovery, health, metrics, OpenAPI) through
 * `checkPath`. Runs before the body is decoded and before the resource is looked up, so a
 * refused caller learns nothing about what exists.
 */
import type { ApiCall, AuditRecorder, Credentials, Interceptor, UserInfo } from '../api-call.js';
import type { AuthorizationAttributes, Authorizer } from '../authz/attributes.js';
import { forbiddenError } from '../authz/forbidden.js';
import { verbLabel } from '../request/verb.js';
import type { Authenticate } from './authenticator.js';
import { impersonatedUser } from './impersonation.js';

export interface AccessControl {
  /**
   * Who the credentials prove, impersonation applied; throws 401, 400 or 403. `path` for
   * non-resource requests. `audit` is told the authenticated and the impersonated user.
   */
  identify(credentials: Credentials, path?: string, audit?: AuditRecorder): Promise<UserInfo>;
  /** Throws 403 unless the attributes are allowed; `audit` is told the decision. */
  authorize(attributes: AuthorizationAttributes, audit?: AuditRecorder): Promise<void>;
  /** A non-resource request (`verb` is the lowercased HTTP method); returns its user. */
  checkPath(credentials: Credentials, verb: string, path: string, audit?: AuditRecorder): Promise<UserInfo>;
  /** The pipeline's interceptor for resource requests. */
  interceptor: Interceptor;
  authorizer: Authorizer;
}

/**
 * The authorization attributes of a resource call. As upstream's RequestInfo, a namespace's own
 * path (`/api/v1/namespaces/NAME[/status|/finalize]`) names it as the request's namespace too, so
 * a RoleBinding in NAME may grant access to the namespace object itself.
 */
export function callAttributes(call: ApiCall, user: UserInfo): AuthorizationAttributes {
  const ownNamespace = call.group === '' && call.resource === 'namespaces' ? call.name : undefined;
  const verb = verbLabel(call);
  // A list or watch of one object by `metadata.name=` names it, as upstream's RequestInfo: a
  // rule's resourceNames and the Node authorizer may then allow it (the kubelet's single-object watches).
  const selected = !call.name && (verb === 'list' || verb === 'watch') ? selectedName(call.options.fieldSelector) : undefined;
  return {
    user,
    verb,
    resourceRequest: true,
    apiGroup: call.group,
    apiVersion: call.version,
    resource: call.resource,
    subresource: call.subresource ?? '',
    namespace: call.namespace ?? ownNamespace ?? '',
    name: call.name ?? selected ?? '',
    ...(call.options.fieldSelector ? { fieldSelector: call.options.fieldSelector } : {}),
  };
}

/** The name a field selector requires exactly (`metadata.name=N` or `==N` among its terms), when it is a valid path segment. */
function selectedName(fieldSelector: string | undefined): string | undefined {
  for (const term of (fieldSelector ?? '').split(',')) {
    const m = /^\s*metadata\.name\s*==?\s*(.*?)\s*$/.exec(term);
    const name = m?.[1];
    if (name !== undefined && name !== '' && name !== '.' && name !== '..' && !/[/%]/.test(name)) return name;
  }
  return undefined;
}

export function createAccessControl(authenticate: Authenticate, authorizer: Authorizer): AccessControl {
  const identify = async (credentials: Credentials, path?: string, audit?: AuditRecorder): Promise<UserInfo> => {
    let user: UserInfo;
    try {
      user = await authenticate(credentials, path);
    } catch (err) {
      audit?.authenticationFailed();
      throw err;
    }
    // The audit policy judges the user authentication proved, as upstream's filter order does.
    audit?.authenticated(user);
    if (!credentials.impersonation) return user;
    const impersonated = await impersonatedUser(user, credentials.impersonation, authorizer);
    audit?.impersonated(impersonated);
    return impersonated;
  };
  const authorize = async (attributes: AuthorizationAttributes, audit?: AuditRecorder): Promise<void> => {
    const d = await authorizer.authorize(attributes);
    audit?.authorized(d.decision === 'allow' ? 'allow' : 'forbid', d.reason);
    if (d.decision !== 'allow') throw forbiddenError(attributes, d.reason);
  };
  return {
    identify,
    authorize,
    authorizer,
    async checkPath(credentials, verb, path, audit) {
      const user = await identify(credentials, path, audit);
      await authorize({ user, verb, resourceRequest: false, path }, audit);
      return user;
    },
    interceptor: (next) => async (call) => {
      if (call.credentials.inProcess && call.user) {
        call.audit?.authenticated(call.user);
        return next(call);
      }
      const user = await identify(call.credentials, undefined, call.audit);
      await authorize(callAttributes(call, user), call.audit);
      return next({ ...call, user });
    },
  };
}

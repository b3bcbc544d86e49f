/**
 * Impersonation (`Impersonate-User`, `-Group`, `-Uid`, `-Extra-*`), as upstream's filter: each
 * thing the requester asks to act as is authorised with the `impersonate` verb — users and
 * groups in the core group, service accounts in their namespace, uids and extras in
 * authentication.k8s.io — and the call then runs as the impersonated user.
 */
import { badRequest } from '../../machinery/errors/index.js';
import type { Impersonation, UserInfo } from '../api-call.js';
import type { Authorizer, ResourceAttributes } from '../authz/attributes.js';
import { forbiddenError } from '../authz/forbidden.js';
import { ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, ANONYMOUS_USER, parseServiceAccountUsername, serviceAccountGroups } from './user.js';

const AUTHENTICATION_GROUP = 'authentication.k8s.io';

function impersonate(requester: UserInfo, apiGroup: string, resource: string, name: string, namespace = '', subresource = ''): ResourceAttributes {
  return { user: requester, verb: 'impersonate', resourceRequest: true, apiGroup, apiVersion: '', resource, subresource, namespace, name };
}

/** The user the requester acts as, once every part of the impersonation is authorised; throws 400 or 403. */
export async function impersonatedUser(requester: UserInfo, imp: Impersonation, authorizer: Authorizer): Promise<UserInfo> {
  if (imp.user === undefined || imp.user === '') {
    throw badRequest('requested impersonation of groups, uid or extra fields without impersonating a user');
  }
  const checks: ResourceAttributes[] = [];
  const account = parseServiceAccountUsername(imp.user);
  checks.push(account ? impersonate(requester, '', 'serviceaccounts', account.name, account.namespace) : impersonate(requester, '', 'users', imp.user));
  for (const group of imp.groups) checks.push(impersonate(requester, '', 'groups', group));
  for (const [key, values] of Object.entries(imp.extra)) {
    for (const value of values) checks.push(impersonate(requester, AUTHENTICATION_GROUP, 'userextras', value, '', key));
  }
  if (imp.uid !== undefined) checks.push(impersonate(requester, AUTHENTICATION_GROUP, 'uids', imp.uid));
  for (const attributes of checks) {
    const d = await authorizer.authorize(attributes);
    if (d.decision !== 'allow') throw forbiddenError(attributes, d.reason);
  }
  const groups = [...imp.groups];
  if (account) for (const g of serviceAccountGroups(account.namespace)) if (!groups.includes(g)) groups.push(g);
  const everyone = imp.user === ANONYMOUS_USER ? ALL_UNAUTHENTICATED : ALL_AUTHENTICATED;
  if (!groups.includes(everyone)) groups.push(everyone);
  const user: UserInfo = { name: imp.user, groups };
  if (imp.uid !== undefined) user.uid = imp.uid;
  if (Object.keys(imp.extra).length > 0) user.extra = imp.extra;
  return user;
}

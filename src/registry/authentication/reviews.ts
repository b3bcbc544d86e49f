/**
 * authentication.k8s.io/v1 TokenReview and SelfSubjectReview: posted, answered with their
 * status, never stored. A TokenReview says who a token proves (as upstream's, a token that
 * proves nobody is `authenticated: false` with no error text); a SelfSubjectReview says who the
 * caller is (`kubectl auth whoami`).
 */
import type { SelfSubjectReview, TokenReview, UserInfo } from '../../../gen/kube/authentication-v1.js';
import { internalError } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import type { ComputedContext, ComputedResource, ResourceDefinition, ReviewAccess } from '../rest/definition.js';
import { declared } from '../rest/declared.js';
import type { RequestUser } from '../rest/strategy.js';

/** The server's access control; missing only when a server is assembled without one. */
export function reviewAccess(ctx: ComputedContext): ReviewAccess {
  const access = ctx.access?.();
  if (!access) throw internalError(new Error('authentication and authorization are not wired'));
  return access;
}

/** A user as the review kinds write it. */
export function userInfoOf(user: RequestUser): UserInfo {
  const info: UserInfo = { username: user.name };
  if (user.uid) info.uid = user.uid;
  if (user.groups.length > 0) info.groups = [...user.groups];
  if (user.extra && Object.keys(user.extra).length > 0) info.extra = Object.fromEntries(Object.entries(user.extra).map(([k, v]) => [k, [...v]]));
  return info;
}

/** Reviews are not stored, so their names (usually none) are never checked. */
const anyName = (): string[] => [];

/** A review kind: declared create-only, its create computed by `create`. */
export function reviewDefinition<T extends object>(group: string, resource: string, create: NonNullable<ComputedResource['create']>): ResourceDefinition<T> {
  return { ...declared(group, resource), nameValidator: anyName, strategy: {}, computed: { create } };
}

/** A review's metadata is the request's: nothing is stored, so nothing is assigned. */
export const reviewMeta = (obj: KubeObject): Record<string, unknown> => ({ ...(obj.metadata ?? {}) });

export const tokenReviews = reviewDefinition<TokenReview>('authentication.k8s.io', 'tokenreviews', async (ctx, _namespace, obj) => {
  const review = obj as TokenReview & KubeObject;
  const token = review.spec?.token ?? '';
  const user = token === '' ? undefined : await reviewAccess(ctx).authenticateToken(token);
  const status: Record<string, unknown> = user ? { authenticated: true, user: userInfoOf(user) } : { user: {} };
  return { ...review, metadata: reviewMeta(review), spec: review.spec ?? {}, status } as KubeObject;
});

export const selfSubjectReviews = reviewDefinition<SelfSubjectReview>('authentication.k8s.io', 'selfsubjectreviews', async (_ctx, _namespace, obj, _dryRun, user) => {
  const review = obj as SelfSubjectReview & KubeObject;
  return { ...review, metadata: reviewMeta(review), status: { userInfo: user ? userInfoOf(user) : {} } } as KubeObject;
});

/**
 * authorization.k8s.io/v1 access reviews, as upstream's: posted, answered with their status,
 * never stored. SubjectAccessReview asks for a named user, LocalSubjectAccessReview the same
 * within the namespace it is posted to, SelfSubjectAccessReview for the caller (`kubectl auth
 * can-i`), SelfSubjectRulesReview lists the caller's rules in a namespace (`can-i --list`).
 */
import type {
  LocalSubjectAccessReview,
  NonResourceAttributes,
  ResourceAttributes,
  SelfSubjectAccessReview,
  SelfSubjectRulesReview,
  SubjectAccessReview,
} from '../../../gen/kube/authorization-v1.js';
import { invalid } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import { invalidValue, required, toCauses, type FieldError } from '../../machinery/validation/field-error.js';
import { reviewAccess, reviewDefinition, reviewMeta } from '../authentication/reviews.js';
import type { ComputedContext, ReviewRequest } from '../rest/definition.js';
import type { RequestUser } from '../rest/strategy.js';

const GROUP = 'authorization.k8s.io';
const ONE_OF = 'exactly one of nonResourceAttributes or resourceAttributes must be specified';

interface Attributes {
  resourceAttributes?: ResourceAttributes | null;
  nonResourceAttributes?: NonResourceAttributes | null;
}

/** Upstream's check that exactly one kind of attributes is given. */
function attributesErrors(spec: Attributes, path: string): FieldError[] {
  const r = spec.resourceAttributes ?? undefined;
  const n = spec.nonResourceAttributes ?? undefined;
  if (r && n) return [invalidValue(`${path}.nonResourceAttributes`, n, 'cannot be specified in combination with resourceAttributes')];
  if (!r && !n) return [invalidValue(`${path}.resourceAttributes`, null, ONE_OF)];
  return [];
}

function requestOf(spec: Attributes): ReviewRequest {
  const r = spec.resourceAttributes ?? undefined;
  if (r) {
    return {
      resource: {
        namespace: r.namespace ?? '',
        verb: r.verb ?? '',
        group: r.group ?? '',
        version: r.version ?? '',
        resource: r.resource ?? '',
        subresource: r.subresource ?? '',
        name: r.name ?? '',
      },
    };
  }
  const n = spec.nonResourceAttributes ?? {};
  return { nonResource: { path: n.path ?? '', verb: n.verb ?? '' } };
}

const refuse = (kind: string, errs: FieldError[]) => invalid(kind, GROUP, '', toCauses(errs));

async function answer(ctx: ComputedContext, obj: KubeObject & { spec?: Attributes }, user: RequestUser): Promise<KubeObject> {
  const d = await reviewAccess(ctx).authorize(user, requestOf(obj.spec ?? {}));
  const status: Record<string, unknown> = { allowed: d.allowed };
  if (d.denied) status.denied = true;
  if (d.reason) status.reason = d.reason;
  return { ...obj, metadata: reviewMeta(obj), status } as KubeObject;
}

/** The user a SubjectAccessReview's spec names. */
function specUser(spec: SubjectAccessReview['spec']): RequestUser {
  const user: RequestUser = { name: spec?.user ?? '', groups: spec?.groups ?? [] };
  if (spec?.uid) user.uid = spec.uid;
  if (spec?.extra) user.extra = spec.extra;
  return user;
}

function subjectErrors(spec: SubjectAccessReview['spec']): FieldError[] {
  const errs = attributesErrors(spec ?? {}, 'spec');
  if (!spec?.user && (spec?.groups ?? []).length === 0) errs.push(invalidValue('spec.user', spec?.user ?? '', 'at least one of user or group must be specified'));
  return errs;
}

export const subjectAccessReviews = reviewDefinition<SubjectAccessReview>(GROUP, 'subjectaccessreviews', async (ctx, _namespace, obj) => {
  const review = obj as SubjectAccessReview & KubeObject;
  const errs = subjectErrors(review.spec);
  if (errs.length > 0) throw refuse('SubjectAccessReview', errs);
  return answer(ctx, review as KubeObject, specUser(review.spec));
});

export const localSubjectAccessReviews = reviewDefinition<LocalSubjectAccessReview>(GROUP, 'localsubjectaccessreviews', async (ctx, namespace, obj) => {
  const review = obj as LocalSubjectAccessReview & KubeObject;
  const errs = subjectErrors(review.spec);
  const ns = review.metadata?.namespace ?? '';
  const r = review.spec?.resourceAttributes;
  if (review.spec?.nonResourceAttributes) errs.push(invalidValue('spec.nonResourceAttributes', review.spec.nonResourceAttributes, 'disallowed on this kind of request'));
  if (r && (r.namespace ?? '') !== ns) errs.push(invalidValue('spec.resourceAttributes.namespace', r.namespace ?? '', 'must match metadata.namespace'));
  if (errs.length > 0) throw refuse('LocalSubjectAccessReview', errs);
  if (ns !== (namespace ?? '')) throw refuse('LocalSubjectAccessReview', [invalidValue('metadata.namespace', ns, 'must match the namespace of the request')]);
  return answer(ctx, review as KubeObject, specUser(review.spec));
});

export const selfSubjectAccessReviews = reviewDefinition<SelfSubjectAccessReview>(GROUP, 'selfsubjectaccessreviews', async (ctx, _namespace, obj, _dryRun, user) => {
  const review = obj as SelfSubjectAccessReview & KubeObject;
  const errs = attributesErrors(review.spec ?? {}, 'spec');
  if (errs.length > 0) throw refuse('SelfSubjectAccessReview', errs);
  return answer(ctx, review as KubeObject, user ?? { name: '', groups: [] });
});

export const selfSubjectRulesReviews = reviewDefinition<SelfSubjectRulesReview>(GROUP, 'selfsubjectrulesreviews', async (ctx, _namespace, obj, _dryRun, user) => {
  const review = obj as SelfSubjectRulesReview & KubeObject;
  const namespace = review.spec?.namespace ?? '';
  if (namespace === '') throw refuse('SelfSubjectRulesReview', [required('spec.namespace', 'namespace is required')]);
  const rules = await reviewAccess(ctx).rules(user ?? { name: '', groups: [] }, namespace);
  const status: Record<string, unknown> = { resourceRules: rules.resourceRules, nonResourceRules: rules.nonResourceRules, incomplete: rules.incomplete };
  if (rules.evaluationError) status.evaluationError = rules.evaluationError;
  return { ...review, metadata: reviewMeta(review), status } as KubeObject;
});

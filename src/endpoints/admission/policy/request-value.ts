/**
 * The admission request as CEL's `request` variable shows it (upstream's
 * CreateAdmissionRequest): the matched kind and resource, the request's own, the user, dry run
 * and the operation's options. Shared by policies and by webhooks' `matchConditions`.
 */
import type { AdmissionAttributes } from '../../../registry/rest/admission.js';
import type { RuleMatch } from '../webhook/rules.js';
import { operationOptions } from '../webhook/review.js';

/** `request` for `a` as matched by `match`; `uid` when the evaluation has one (a webhook's: empty). */
export function celRequestValue(a: AdmissionAttributes, match: RuleMatch, uid?: string): Record<string, unknown> {
  return {
    ...(uid !== undefined ? { uid } : {}),
    kind: match.kind,
    resource: { group: match.group, version: match.version, resource: match.resource },
    ...(a.subresource ? { subResource: a.subresource, requestSubResource: a.subresource } : {}),
    requestKind: a.kind,
    requestResource: { group: a.group, version: a.version, resource: a.resource },
    name: a.name,
    namespace: a.namespace ?? '',
    operation: a.operation,
    userInfo: {
      username: a.user.name,
      ...(a.user.uid ? { uid: a.user.uid } : {}),
      groups: [...a.user.groups],
      extra: a.user.extra ?? {},
    },
    dryRun: a.dryRun,
    options: operationOptions(a),
  };
}

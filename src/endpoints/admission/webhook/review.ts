/**
 * The `admission.k8s.io/v1` AdmissionReview a webhook is sent, and the checks upstream makes
 * of the one it answers (VerifyAdmissionResponse): a response with the request's uid, the v1
 * kind, `patch` and `patchType` together and only from mutating webhooks.
 */
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../../machinery/meta/object.js';
import type { AdmissionAttributes, GroupVersionKind } from '../../../registry/rest/admission.js';
import type { GroupVersionResource } from './rules.js';

/** meta/v1 Status as a webhook may put it in `response.status`. */
export interface WebhookStatus {
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

/** The fields of `response` upstream acts on. */
export interface AdmissionResponse {
  allowed: boolean;
  status?: WebhookStatus;
  patch?: string;
  patchType?: string;
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

/** What is sent: the review, and the uid its answer must carry. */
export interface AdmissionReviewRequest {
  uid: string;
  body: Record<string, unknown>;
}

/** The objects at the version the webhook matched. */
export interface VersionedObjects {
  object?: KubeObject;
  oldObject?: KubeObject;
}

const OPTIONS_KINDS: Partial<Record<AdmissionAttributes['operation'], string>> = { CREATE: 'CreateOptions', UPDATE: 'UpdateOptions', DELETE: 'DeleteOptions' };

/**
 * The operation's options as upstream sends them: the meta.k8s.io/v1 CreateOptions,
 * UpdateOptions (patches too) or DeleteOptions object with its type meta; null for CONNECT.
 */
export function operationOptions(a: Pick<AdmissionAttributes, 'operation' | 'options'>): Record<string, unknown> | null {
  const kind = OPTIONS_KINDS[a.operation];
  const given = a.options && typeof a.options === 'object' ? (a.options as Record<string, unknown>) : {};
  if (!kind) return a.options && typeof a.options === 'object' ? given : null;
  return { kind, apiVersion: 'meta.k8s.io/v1', ...given };
}

/** Builds the AdmissionReview for one call: `kind`/`resource` as matched, `request*` as requested. */
export function admissionReview(a: AdmissionAttributes, matched: GroupVersionResource & { kind: GroupVersionKind }, objects: VersionedObjects): AdmissionReviewRequest {
  const uid = randomUUID();
  const request: Record<string, unknown> = {
    uid,
    kind: matched.kind,
    resource: { group: matched.group, version: matched.version, resource: matched.resource },
    requestKind: a.kind,
    requestResource: { group: a.group, version: a.version, resource: a.resource },
    operation: a.operation,
    userInfo: {
      username: a.user.name,
      ...(a.user.uid ? { uid: a.user.uid } : {}),
      ...(a.user.groups.length > 0 ? { groups: [...a.user.groups] } : {}),
      ...(a.user.extra && Object.keys(a.user.extra).length > 0 ? { extra: a.user.extra } : {}),
    },
    object: objects.object ?? null,
    oldObject: objects.oldObject ?? null,
    dryRun: a.dryRun,
    options: operationOptions(a),
  };
  if (a.subresource) {
    request.subResource = a.subresource;
    request.requestSubResource = a.subresource;
  }
  if (a.name) request.name = a.name;
  if (a.namespace) request.namespace = a.namespace;
  return { uid, body: { kind: 'AdmissionReview', apiVersion: 'admission.k8s.io/v1', request } };
}

/** Thrown for an answer upstream would not accept; its message is upstream's. */
export class InvalidWebhookResponse extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a decoded answer as upstream does and returns its response. */
export function verifyAdmissionResponse(uid: string, mutating: boolean, review: unknown): AdmissionResponse {
  if (!isObject(review)) throw new InvalidWebhookResponse('webhook response was absent');
  const response = review.response;
  if (!isObject(response)) throw new InvalidWebhookResponse('webhook response was absent');
  const gotUid = typeof response.uid === 'string' ? response.uid : '';
  if (gotUid !== uid) throw new InvalidWebhookResponse(`expected response.uid="${uid}", got "${gotUid}"`);
  const apiVersion = typeof review.apiVersion === 'string' ? review.apiVersion : '';
  const kind = typeof review.kind === 'string' ? review.kind : '';
  if (apiVersion !== 'admission.k8s.io/v1' || kind !== 'AdmissionReview') {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
    throw new InvalidWebhookResponse(`expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${group}/${version}, Kind=${kind}`);
  }
  const patch = typeof response.patch === 'string' && response.patch !== '' ? response.patch : undefined;
  const patchType = typeof response.patchType === 'string' ? response.patchType : undefined;
  if (mutating) {
    if (patch !== undefined && patchType === undefined) throw new InvalidWebhookResponse('webhook returned response.patch but not response.patchType');
    if (patch === undefined && patchType !== undefined) throw new InvalidWebhookResponse('webhook returned response.patchType but not response.patch');
    if (patchType === '') throw new InvalidWebhookResponse('webhook returned invalid response.patchType of ""');
  } else {
    if (patch !== undefined) throw new InvalidWebhookResponse('validating webhook may not return response.patch');
    if (patchType !== undefined) throw new InvalidWebhookResponse('validating webhook may not return response.patchType');
  }
  const out: AdmissionResponse = { allowed: response.allowed === true };
  if (isObject(response.status)) out.status = response.status as WebhookStatus;
  if (mutating && patch !== undefined) out.patch = patch;
  if (mutating && patchType !== undefined) out.patchType = patchType;
  if (Array.isArray(response.warnings)) out.warnings = response.warnings.filter((w): w is string => typeof w === 'string');
  if (isObject(response.auditAnnotations)) out.auditAnnotations = response.auditAnnotations as Record<string, string>;
  return out;
}

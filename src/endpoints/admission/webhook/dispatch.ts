/**
 * One webhook call as upstream's dispatchers make it: whether the webhook applies (rules
 * with its match policy, namespace and object selectors, match conditions), the request in
 * the version it matched, the dry-run rule for webhooks with side effects, the POST, the
 * checks of the answer, and what it means: a refusal, a JSON patch to apply, or a failure
 * to call subject to the failure policy.
 */
import fastJsonPatch from 'fast-json-patch';
import type { MutatingWebhook, ValidatingWebhook } from '../../../../gen/kube/admissionregistration-v1.js';
import { forbidden, internalError } from '../../../machinery/errors/index.js';
import { jsonEqual, type KubeObject } from '../../../machinery/meta/object.js';
import type { AdmissionAttributes } from '../../../registry/rest/admission.js';
import type { ApiCatalog } from '../../catalog.js';
import { decodeObject } from '../../decode.js';
import type { CoreObjectLookup } from '../../core-lookup.js';
import { postAdmissionReview, type ServiceResolver, WebhookTransportError } from './client.js';
import { dryRunUnsupported, WebhookCallError, webhookDenied } from './errors.js';
import { admissionReview, InvalidWebhookResponse, verifyAdmissionResponse } from './review.js';
import { equivalentResources, matchRules, type RuleMatch } from './rules.js';
import { namespaceSelectorMatches, objectSelectorMatches } from './selectors.js';
import { versionConverter, type VersionConverter } from './versioned.js';

/** One webhook of a configuration, with what identifies it. */
export interface WebhookEntry<W extends ValidatingWebhook | MutatingWebhook = ValidatingWebhook | MutatingWebhook> {
  /** `CONFIGURATION/INDEX`: upstream's webhook uid for reinvocation. */
  uid: string;
  configuration: string;
  hook: W;
}

/** Evaluates a webhook's `matchConditions` for the request at the matched version: true to call it. */
export type MatchConditionEvaluator = (hook: WebhookEntry, a: AdmissionAttributes, versioned: VersionedRequest) => Promise<boolean>;

/** What the dispatchers need from the server. */
export interface WebhookDependencies {
  catalog: ApiCatalog;
  lookup: CoreObjectLookup;
  resolveService: ServiceResolver;
  /** Absent: webhooks with match conditions are called as if they held (see README). */
  matchConditions?: MatchConditionEvaluator;
}

/** The request as a matched webhook sees it. */
export interface VersionedRequest {
  match: RuleMatch;
  converter: VersionConverter;
  object?: KubeObject;
  oldObject?: KubeObject;
}

/** Whether `entry` is to be called for `a`, and at which version; undefined: it is not. */
export async function shouldCallWebhook(entry: WebhookEntry, a: AdmissionAttributes, deps: WebhookDependencies): Promise<VersionedRequest | undefined> {
  const { hook } = entry;
  const match = matchRules(hook.rules ?? [], hook.matchPolicy ?? 'Equivalent', a, () => equivalentResources(deps.catalog, a));
  if (!match) return undefined;
  if (!(await namespaceSelectorMatches(hook.namespaceSelector, a, deps.lookup))) return undefined;
  if (!objectSelectorMatches(hook.objectSelector, a)) return undefined;
  const converter = versionConverter(deps.catalog, a, match);
  const versioned: VersionedRequest = { match, converter };
  try {
    if (a.object) versioned.object = converter.toTarget(a.object);
    if (a.oldObject) versioned.oldObject = converter.toTarget(a.oldObject);
  } catch (err) {
    throw internalError(err);
  }
  if ((hook.matchConditions ?? []).length > 0 && deps.matchConditions) {
    let matches: boolean;
    try {
      matches = await deps.matchConditions(entry, a, versioned);
    } catch (err) {
      // Upstream fails closed when a condition cannot be evaluated, whatever the failure policy.
      throw forbidden({ group: a.group, resource: a.resource }, a.name || undefined, err instanceof Error ? err.message : String(err));
    }
    if (!matches) return undefined;
  }
  return versioned;
}

const TIMEOUT_DEFAULT_SECONDS = 10;

/** What an admitting webhook answered, once accepted as a valid answer. */
type Admitted = ReturnType<typeof verifyAdmissionResponse>;

/** One POST and its answer: the answer when it admits; its refusal, or a WebhookCallError, thrown. */
async function call(entry: WebhookEntry, a: AdmissionAttributes, v: VersionedRequest, mutating: boolean, deps: WebhookDependencies): Promise<Admitted> {
  const { hook } = entry;
  const name = hook.name ?? '';
  if (a.dryRun && hook.sideEffects !== 'None' && hook.sideEffects !== 'NoneOnDryRun') throw dryRunUnsupported(name);
  const review = admissionReview(a, v.match, v);
  const timeoutMs = (hook.timeoutSeconds ?? TIMEOUT_DEFAULT_SECONDS) * 1000;
  let answer: unknown;
  try {
    answer = await postAdmissionReview(hook.clientConfig ?? {}, review.body, timeoutMs, deps.resolveService);
  } catch (err) {
    const why = err instanceof WebhookTransportError ? err.message : err instanceof Error ? err.message : String(err);
    throw new WebhookCallError(name, `failed to call webhook: ${why}`);
  }
  let response;
  try {
    response = verifyAdmissionResponse(review.uid, mutating, answer);
  } catch (err) {
    if (err instanceof InvalidWebhookResponse) throw new WebhookCallError(name, `received invalid webhook response: ${err.message}`);
    throw err;
  }
  for (const w of response.warnings ?? []) a.warnings?.push(w);
  if (!response.allowed) throw webhookDenied(name, response.status);
  return response;
}

/** Calls a validating webhook; throws its refusal or, unless it is ignored, its failure. */
export async function callValidatingWebhook(entry: WebhookEntry<ValidatingWebhook>, a: AdmissionAttributes, v: VersionedRequest, deps: WebhookDependencies): Promise<void> {
  try {
    await call(entry, a, v, false, deps);
  } catch (err) {
    if (err instanceof WebhookCallError) {
      if (entry.hook.failurePolicy === 'Ignore') return;
      throw err.toApiError();
    }
    throw err;
  }
}

/** The object a mutating webhook leaves (at the request's version), and whether it changed it. */
export interface MutationOutcome {
  object: KubeObject | undefined;
  changed: boolean;
}

function applyJsonPatch(name: string, object: KubeObject, patchBase64: string): KubeObject {
  let ops: unknown;
  try {
    ops = JSON.parse(Buffer.from(patchBase64, 'base64').toString('utf8'));
  } catch (err) {
    throw internalError(err);
  }
  if (!Array.isArray(ops)) throw internalError(new Error('json: cannot unmarshal object into Go value of type jsonpatch.Patch'));
  if (ops.length === 0) return object;
  try {
    return fastJsonPatch.applyPatch(structuredClone(object), ops as fastJsonPatch.Operation[], true, true).newDocument as KubeObject;
  } catch (err) {
    throw internalError(new Error(`admission webhook "${name}" returned a patch that cannot be applied: ${(err as Error).message}`));
  }
}

/**
 * The patched object read back through the matched version's schema with its defaults, as
 * upstream decodes it into the typed object (fields the kind does not have are dropped). A
 * subresource's own kind is left as patched.
 */
function typedAgain(deps: WebhookDependencies, v: VersionedRequest, patched: KubeObject): KubeObject {
  const served = deps.catalog.resource(v.match.group, v.match.version, v.match.resource)?.definition;
  if (!served || served.kind !== v.match.kind.kind) return patched;
  try {
    return decodeObject(served, patched, 'Ignore').object;
  } catch (err) {
    throw internalError(err);
  }
}

/** Calls a mutating webhook and applies its patch; throws its refusal or, unless it is ignored, its failure. */
export async function callMutatingWebhook(entry: WebhookEntry<MutatingWebhook>, a: AdmissionAttributes, v: VersionedRequest, deps: WebhookDependencies): Promise<MutationOutcome> {
  const name = entry.hook.name ?? '';
  let response: Admitted;
  try {
    response = await call(entry, a, v, true, deps);
  } catch (err) {
    if (err instanceof WebhookCallError) {
      if (entry.hook.failurePolicy === 'Ignore') return { object: a.object, changed: false };
      throw err.toApiError();
    }
    throw err;
  }
  if (response.patch === undefined) return { object: a.object, changed: false };
  if (response.patchType !== 'JSONPatch') {
    const err = new WebhookCallError(name, `unsupported patch type "${response.patchType ?? ''}"`);
    if (entry.hook.failurePolicy === 'Ignore') return { object: a.object, changed: false };
    throw err.toApiError();
  }
  if (!v.object) throw internalError(new Error(`admission webhook "${name}" attempted to modify the object, which is not supported for this operation`));
  const patched = typedAgain(deps, v, applyJsonPatch(name, v.object, response.patch));
  const changed = !jsonEqual(patched, v.object);
  if (!changed) return { object: a.object, changed: false };
  let back: KubeObject;
  try {
    back = v.converter.fromTarget(patched);
  } catch (err) {
    throw internalError(err);
  }
  return { object: back, changed: true };
}


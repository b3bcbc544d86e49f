/**
 * The pods' action subresources, as upstream's BindingREST and EvictionREST:
 *   - `binding` (core/v1 Binding): assigns the pod to a node — once: a bound pod, a pod being
 *     deleted or one with scheduling gates is refused with a Conflict on pods/binding — sets
 *     PodScheduled, copies the binding's annotations, honours its uid/resourceVersion;
 *   - `eviction` (policy/v1 Eviction, policy/v1beta1 accepted): deletes the pod unless a
 *     PodDisruptionBudget selecting it allows no disruption (429 TooManyRequests with the
 *     `DisruptionBudget` cause), counting the disruption in the budget's status. Terminal,
 *     pending and already deleting pods go without looking at budgets.
 */
import { ApiError, badRequest, conflict, internalError, type StatusCause } from '../../machinery/errors/index.js';
import { type KubeObject, cloneObject } from '../../machinery/meta/object.js';
import { labelSelectorFromObject } from '../../machinery/selection/labels.js';
import { fieldErrorBody, notSupported, required, type FieldError } from '../../machinery/validation/field-error.js';
import type { ActionRequest, ActionResult, ActionSubresource, KindRef, StoreAccess } from '../rest/definition.js';
import type { DeleteQuery, WriteOptions } from '../rest/resource-store.js';
import { str } from './fields.js';

const BINDING_KIND: KindRef = { group: '', version: 'v1', kind: 'Binding', typeName: 'k8s.io.api.core.v1.Binding' };
const EVICTION_KIND: KindRef = { group: 'policy', version: 'v1', kind: 'Eviction', typeName: 'k8s.io.api.policy.v1.Eviction' };
const EVICTION_V1BETA1_KIND: KindRef = { group: 'policy', version: 'v1beta1', kind: 'Eviction', typeName: 'k8s.io.api.policy.v1beta1.Eviction' };

/** What a create handler answers for a creater that returns a bare success: Status Success, code 201. */
function created(): ActionResult {
  return { code: 201, object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } as KubeObject };
}

type Obj = Record<string, unknown>;
const objOf = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

/** Upstream's ValidatePodBinding. */
function validateBinding(binding: KubeObject): FieldError[] {
  const target = objOf((binding as Obj).target);
  const errs: FieldError[] = [];
  const kind = str(target.kind);
  if (kind !== '' && kind !== 'Node') errs.push(notSupported('target.kind', kind, ['Node', '<empty>']));
  if (str(target.name) === '') errs.push(required('target.name', ''));
  return errs;
}

/** A Go error aggregate's text, which upstream returns unwrapped (a 500). */
function aggregate(errs: FieldError[]): string {
  const list = errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
  return list.length === 1 ? (list[0] as string) : `[${list.join(', ')}]`;
}

const PODS = { resource: 'pods', group: '' };
const PODS_BINDING = { resource: 'pods/binding', group: '' };

/** Sets condition `type` to `status` in a pod's status, as upstream's UpdatePodCondition (times move on a change). */
function setPodCondition(pod: Obj, type: string, status: string): void {
  const st = objOf(pod.status);
  pod.status = st;
  const conditions = Array.isArray(st.conditions) ? (st.conditions as Obj[]) : [];
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const existing = conditions.find((c) => c.type === type);
  if (!existing) {
    conditions.push({ type, status, lastProbeTime: null, lastTransitionTime: now });
  } else if (existing.status !== status) {
    existing.status = status;
    existing.lastTransitionTime = now;
  }
  st.conditions = conditions;
}

async function bind(req: ActionRequest): Promise<ActionResult> {
  const binding = req.body;
  const meta = binding.metadata ?? {};
  if (str(meta.name) !== req.name) throw badRequest('name in URL does not match name in Binding object');
  const errs = validateBinding(binding);
  if (errs.length > 0) throw internalError(new Error(aggregate(errs)));
  const node = str(objOf((binding as Obj).target).name);
  const uid = str(meta.uid);
  const resourceVersion = str(meta.resourceVersion);
  const annotations = meta.annotations ?? {};
  await req.parent.update(
    req.namespace,
    req.name,
    (current) => {
      const pod = cloneObject(current) as KubeObject & Obj;
      const pm = pod.metadata ?? {};
      if (uid && uid !== pm.uid) throw conflict(PODS, req.name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${pm.uid ?? ''}`);
      if (resourceVersion && resourceVersion !== pm.resourceVersion) {
        throw conflict(PODS, req.name, `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${pm.resourceVersion ?? ''}`);
      }
      const spec = objOf(pod.spec);
      if (pm.deletionTimestamp) throw conflict(PODS_BINDING, req.name, `pod ${req.name} is being deleted, cannot be assigned to a host`);
      if (str(spec.nodeName) !== '') throw conflict(PODS_BINDING, req.name, `pod ${req.name} is already assigned to node ${JSON.stringify(str(spec.nodeName))}`);
      if (Array.isArray(spec.schedulingGates) && spec.schedulingGates.length > 0) {
        throw conflict(PODS_BINDING, req.name, `pod ${req.name} has non-empty .spec.schedulingGates`);
      }
      spec.nodeName = node;
      pod.spec = spec;
      pm.annotations = { ...(pm.annotations ?? {}), ...annotations };
      pod.metadata = pm;
      setPodCondition(pod, 'PodScheduled', 'True');
      return pod;
    },
    { dryRun: req.dryRun.includes('All'), target: 'system' },
  );
  return created();
}

/** core/v1 Binding on `pods/NAME/binding` (and the namespace's `bindings`). */
export const podBinding: ActionSubresource = { name: 'binding', kind: BINDING_KIND, create: bind };

// --- eviction ---

interface DeleteOptionsJson {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: string;
  orphanDependents?: boolean;
  dryRun?: string[];
}

/** Upstream's propagateDryRun: the request's dryRun goes into the eviction's delete options, and the two must agree. */
function deleteOptionsOf(eviction: Obj, dryRun: string[]): DeleteOptionsJson {
  const given = eviction.deleteOptions as DeleteOptionsJson | undefined;
  if (!given) return { dryRun };
  if (!given.dryRun || given.dryRun.length === 0) return { ...given, dryRun };
  if (dryRun.length === 0) return given;
  if (JSON.stringify(dryRun) !== JSON.stringify(given.dryRun)) {
    throw internalError(new Error(`Non-matching dry-run options in request and content: [${dryRun.join(' ')}] and [${given.dryRun.join(' ')}]`));
  }
  return given;
}

function deleteQuery(o: DeleteOptionsJson): DeleteQuery & WriteOptions {
  const q: DeleteQuery & WriteOptions = { dryRun: (o.dryRun ?? []).includes('All') };
  if (o.gracePeriodSeconds !== undefined) q.gracePeriodSeconds = o.gracePeriodSeconds;
  if (o.preconditions) q.preconditions = { ...o.preconditions };
  if (o.propagationPolicy !== undefined) q.propagationPolicy = o.propagationPolicy;
  if (o.orphanDependents !== undefined) q.orphanDependents = o.orphanDependents;
  return q;
}

const withResourceVersion = (o: DeleteOptionsJson, rv: string): DeleteOptionsJson => ({ ...o, preconditions: { ...(o.preconditions ?? {}), resourceVersion: rv } });

function phaseOf(pod: KubeObject): string {
  return str(objOf((pod as Obj).status).phase);
}

/** Upstream's canIgnorePDB: terminal, pending and deleting pods go without consulting budgets. */
function canIgnoreBudgets(pod: KubeObject): boolean {
  const phase = phaseOf(pod);
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || !!pod.metadata?.deletionTimestamp;
}

function isPodReady(pod: KubeObject): boolean {
  const conditions = objOf((pod as Obj).status).conditions;
  return Array.isArray(conditions) && conditions.some((c) => objOf(c).type === 'Ready' && objOf(c).status === 'True');
}

const EVICTION_REFUSED = "Cannot evict pod as it would violate the pod's disruption budget.";

/** Upstream's NewTooManyRequests with a DisruptionBudget cause. */
function tooManyRequests(causeMessage: string, retryAfterSeconds: number): ApiError {
  const causes: StatusCause[] = [{ reason: 'DisruptionBudget', message: causeMessage }];
  return new ApiError('TooManyRequests', EVICTION_REFUSED, { ...(retryAfterSeconds > 0 ? { retryAfterSeconds } : {}), causes });
}

const stillProcessing = (pdb: string): ApiError => tooManyRequests(`The disruption budget ${pdb} is still being processed by the server.`, 10);

function forbiddenBudget(pdb: string, why: string): ApiError {
  return new ApiError('Forbidden', `poddisruptionbudget.policy ${JSON.stringify(pdb)} is forbidden: ${why}`, { name: pdb, group: 'policy', kind: 'poddisruptionbudget' });
}

/** The budgets in the pod's namespace whose (non-empty, valid) selector matches the pod. */
async function budgetsOf(pdbs: StoreAccess | undefined, pod: KubeObject): Promise<KubeObject[]> {
  if (!pdbs) return [];
  const list = await pdbs.list(pod.metadata?.namespace, {});
  return list.items.filter((pdb) => {
    const selector = objOf(pdb.spec).selector;
    if (!selector) return false;
    let matcher;
    try {
      matcher = labelSelectorFromObject(selector as Parameters<typeof labelSelectorFromObject>[0]);
    } catch {
      return false;
    }
    return !matcher.empty && matcher.matches(pod.metadata?.labels ?? {});
  });
}

/** Upstream's UpdateDisruptionAllowedCondition once the budget has no disruption left. */
function markDisruptionsExhausted(status: Obj): void {
  const conditions = Array.isArray(status.conditions) ? (status.conditions as Obj[]) : [];
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const next = { type: 'DisruptionAllowed', status: 'False', observedGeneration: status.observedGeneration ?? 0, reason: 'InsufficientPods', message: '' };
  const at = conditions.findIndex((c) => c.type === 'DisruptionAllowed');
  if (at < 0) conditions.push({ ...next, lastTransitionTime: now });
  else {
    const old = conditions[at] as Obj;
    conditions[at] = { ...old, ...next, lastTransitionTime: old.status === 'False' ? old.lastTransitionTime : now };
  }
  status.conditions = conditions;
}

/** Upstream's checkAndDecrement, atomically on the stored budget: throws when the budget allows no disruption. */
async function decrementBudget(pdbs: StoreAccess, pdb: KubeObject, podName: string, dryRun: boolean): Promise<void> {
  const name = str(pdb.metadata?.name);
  const check = (current: KubeObject): Obj => {
    const status = cloneObject(objOf(current.status) as KubeObject) as Obj;
    const observed = typeof status.observedGeneration === 'number' ? status.observedGeneration : 0;
    if (observed < (current.metadata?.generation ?? 0)) throw stillProcessing(name);
    const allowed = typeof status.disruptionsAllowed === 'number' ? status.disruptionsAllowed : 0;
    if (allowed < 0) throw forbiddenBudget(name, 'pdb disruptions allowed is negative');
    const disrupted = objOf(status.disruptedPods);
    if (Object.keys(disrupted).length > 2000) throw forbiddenBudget(name, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
    if (allowed === 0) {
      const desired = typeof status.desiredHealthy === 'number' ? status.desiredHealthy : 0;
      const currentHealthy = typeof status.currentHealthy === 'number' ? status.currentHealthy : 0;
      throw tooManyRequests(`The disruption budget ${name} needs ${desired} healthy pods and has ${currentHealthy} currently`, 0);
    }
    status.disruptionsAllowed = allowed - 1;
    if (status.disruptionsAllowed === 0) markDisruptionsExhausted(status);
    status.disruptedPods = { ...disrupted, [podName]: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') };
    return status;
  };
  if (dryRun) {
    check(await pdbs.get(pdb.metadata?.namespace, name));
    return;
  }
  await pdbs.update(pdb.metadata?.namespace, name, (current) => ({ ...current, status: check(current) }), { target: 'status' });
}

const isConflict = (err: unknown): boolean => err instanceof ApiError && err.status.reason === 'Conflict';

async function evict(req: ActionRequest): Promise<ActionResult> {
  const eviction = req.body as KubeObject & Obj;
  if (str(eviction.metadata?.name) !== req.name) throw badRequest('name in URL does not match name in Eviction object');
  const options = deleteOptionsOf(eviction, req.dryRun);
  const ownVersion = options.preconditions?.resourceVersion !== undefined;

  // Pods that may go without a budget check go at once; conflicts retry unless the caller pinned a version.
  let pod: KubeObject | undefined;
  for (let attempt = 0; ; attempt++) {
    pod = await req.parent.get(req.namespace, req.name);
    if (!canIgnoreBudgets(pod)) break;
    const enforce = phaseOf(pod) !== 'Succeeded' && phaseOf(pod) !== 'Failed' && !pod.metadata?.deletionTimestamp;
    const opts = enforce && !ownVersion ? withResourceVersion(options, str(pod.metadata?.resourceVersion)) : options;
    try {
      await req.parent.delete(req.namespace, req.name, deleteQuery(opts));
      return created();
    } catch (err) {
      if (ownVersion || !isConflict(err) || attempt >= 19) throw err;
    }
  }

  const pdbs = req.resource('policy', 'v1', 'poddisruptionbudgets');
  const budgets = await budgetsOf(pdbs, pod);
  if (budgets.length > 1) {
    const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 500, message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.' };
    return { code: 201, object: status as KubeObject };
  }
  let pinToPod = false;
  const budget = budgets[0];
  if (budget && pdbs) {
    const status = objOf(budget.status);
    const desired = typeof status.desiredHealthy === 'number' ? status.desiredHealthy : 0;
    const healthy = typeof status.currentHealthy === 'number' ? status.currentHealthy : 0;
    // An unready pod does not count as healthy: with enough healthy pods it goes without a decrement.
    if (!isPodReady(pod) && healthy >= desired && desired > 0) pinToPod = true;
    else await decrementBudget(pdbs, budget, req.name, (options.dryRun ?? []).includes('All'));
  }
  const opts = pinToPod ? withResourceVersion(options, str(pod.metadata?.resourceVersion)) : options;
  try {
    await req.parent.delete(req.namespace, req.name, deleteQuery(opts));
  } catch (err) {
    if (isConflict(err) && pinToPod && !ownVersion && budget) throw stillProcessing(str(budget.metadata?.name));
    throw err;
  }
  return created();
}

/** policy/v1 Eviction on `pods/NAME/eviction` (policy/v1beta1 bodies accepted too). */
export const podEviction: ActionSubresource = { name: 'eviction', kind: EVICTION_KIND, accepts: [EVICTION_V1BETA1_KIND], create: evict };

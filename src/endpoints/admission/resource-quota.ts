/**
 * ResourceQuota (upstream's plugin of that name): a create in a namespace with quotas is
 * charged to every quota that covers it before the object is written — a compare-and-swap
 * update of the quota's `status.used`, retried on conflict, so concurrent creates never
 * overcommit — and refused in upstream's words when it would exceed `status.hard`. Only what
 * the quota controller already computed is enforced (a resource missing from `status.hard`
 * is not limited yet; one in `status.hard` without `status.used` is "status unknown").
 * Dry runs are checked and never charged. The quota controller (server/) recomputes usage
 * from the stored objects, which frees what deleted objects used.
 */
import type { KubeObject } from '../../machinery/meta/object.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../registry/rest/admission.js';
import type { ResourceStore } from '../../registry/rest/resource-store.js';
import { admissionForbidden } from './admission-errors.js';
import { addQuantity, compareQuantity, prettyList, type ResourceList } from './quantities.js';
import { countedResource, podConstraintError, quotaMatches, usageOf } from './quota-usage.js';

interface QuotaStatus {
  hard?: ResourceList;
  used?: ResourceList;
}

function statusOf(quota: KubeObject): QuotaStatus {
  return (quota.status ?? {}) as QuotaStatus;
}

function mask(list: ResourceList, names: Iterable<string>): ResourceList {
  const out: ResourceList = {};
  for (const n of names) if (list[n] !== undefined) out[n] = list[n]!;
  return out;
}

/** The part of `usage` one quota limits, and why it may not be charged (undefined: it may). */
function check(a: AdmissionAttributes, quota: KubeObject, usage: ResourceList): { requested: ResourceList; refusal?: string } {
  const name = quota.metadata?.name ?? '';
  const { hard = {}, used = {} } = statusOf(quota);
  // The quota's resources this kind's evaluator measures (upstream's MatchingResources).
  const restricted = Object.keys(hard).filter((k) => {
    const counted = countedResource(k);
    return counted?.group === a.group && counted.resource === a.resource;
  });
  if (a.group === '' && a.resource === 'pods') {
    const constraint = podConstraintError(a.object!, restricted);
    if (constraint) return { requested: {}, refusal: `failed quota: ${name}: ${constraint}` };
  }
  if (restricted.some((k) => used[k] === undefined)) return { requested: {}, refusal: `status unknown for quota: ${name}, resources: ${restricted.sort().join(',')}` };
  const requested = mask(usage, Object.keys(hard));
  const exceeded = Object.keys(requested).filter((k) => compareQuantity(addQuantity(used[k], requested[k]!), hard[k]!) > 0);
  if (exceeded.length === 0) return { requested };
  return {
    requested,
    refusal: `exceeded quota: ${name}, requested: ${prettyList(mask(requested, exceeded))}, used: ${prettyList(mask(used, exceeded))}, limited: ${prettyList(mask(hard, exceeded))}`,
  };
}

/** `status.used` plus (or minus) `delta`. */
function charged(quota: KubeObject, delta: ResourceList, sign: 1 | -1): KubeObject {
  const status = statusOf(quota);
  const used = { ...(status.used ?? {}) };
  for (const [k, v] of Object.entries(delta)) used[k] = addQuantity(used[k], sign === 1 ? v : v.startsWith('-') ? v.slice(1) : `-${v}`);
  return { ...quota, status: { ...status, used } };
}

/** The ResourceQuota plugin over the resourcequotas' storage store. */
export function resourceQuotaAdmission(quotas: () => ResourceStore): AdmissionPlugin {
  return {
    name: 'ResourceQuota',
    async validate(a) {
      if (a.operation !== 'CREATE' || a.subresource !== undefined || !a.namespace || !a.object) return;
      const store = quotas();
      // Every create asks: the quotas as the watch cache holds them (no storage read), as upstream reads
      // them from its informer; each charge below reads the quota it updates afresh.
      const list = (await store.list(a.namespace, { resourceVersion: '0' })).items.filter((q) => quotaMatches(q, a.group, a.resource, a.object!));
      if (list.length === 0) return;
      const usage = usageOf(a.group, a.resource, a.object);
      // Every covering quota is checked on what was read, then charged one by one, each
      // charge checked again against the quota as it is stored right then.
      const relevant: { name: string; requested: ResourceList }[] = [];
      for (const q of list) {
        const { requested, refusal } = check(a, q, usage);
        if (refusal) throw admissionForbidden(a, refusal);
        if (Object.keys(requested).length) relevant.push({ name: q.metadata?.name ?? '', requested });
      }
      if (a.dryRun) return;
      const done: { name: string; requested: ResourceList }[] = [];
      try {
        for (const r of relevant) {
          let charge: ResourceList = {};
          await store.update(
            a.namespace,
            r.name,
            (current) => {
              const { requested, refusal } = check(a, current, usage);
              if (refusal) throw admissionForbidden(a, refusal);
              charge = requested;
              return charged(current, requested, 1);
            },
            { target: 'status' },
          );
          done.push({ name: r.name, requested: charge });
        }
      } catch (err) {
        // Give back what the quotas charged before the one that refused.
        for (const r of done) await store.update(a.namespace, r.name, (current) => charged(current, r.requested, -1), { target: 'status' }).catch(() => undefined);
        throw err;
      }
    },
  };
}

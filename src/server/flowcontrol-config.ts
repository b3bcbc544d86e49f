/**
 * API Priority and Fairness configuration, as kube-apiserver keeps it:
 *
 * - the producer (upstream's post-start hook and its ensurer): the bootstrap priority levels
 *   and FlowSchemas are created when missing; a mandatory object's spec is put back whenever
 *   it differs; a suggested object's spec is put back only while its autoupdate annotation
 *   says "true" (or, without a readable annotation, while it is at generation 1), and the
 *   annotation is set to what was decided; an object that is not (or no longer) part of the
 *   bootstrap set but says autoupdate "true" is deleted. Run at start and every minute.
 * - the consumer's status writes: each FlowSchema's `Dangling` condition says whether the
 *   priority level it names exists.
 *
 * Requests are not classified or limited by this configuration (no enforcement yet).
 */
import { ApiError } from '../machinery/errors/index.js';
import type { KubeObject } from '../machinery/meta/object.js';
import {
  AUTO_UPDATE_ANNOTATION,
  MANDATORY_FLOW_SCHEMAS,
  MANDATORY_PRIORITY_LEVELS,
  SUGGESTED_FLOW_SCHEMAS,
  SUGGESTED_PRIORITY_LEVELS,
} from '../registry/flowcontrol/bootstrap-objects.js';
import { specsEqual } from '../registry/flowcontrol/common.js';
import type { ResourceStore } from '../registry/rest/resource-store.js';

/** The field managers upstream's producer and consumer write as. */
export const CONFIG_PRODUCER = 'api-priority-and-fairness-config-producer-v1';
export const CONFIG_CONSUMER = 'api-priority-and-fairness-config-consumer-v1';

const PRODUCER_INTERVAL_MS = 60_000;

/** The two stores the configuration lives in. */
export interface FlowControlStores {
  flowSchemas: ResourceStore;
  priorityLevels: ResourceStore;
}

const isReason = (err: unknown, reason: string): boolean => err instanceof ApiError && err.reason === reason;

/** Go's strconv.ParseBool: the boolean a string spells, or undefined. */
function parseBool(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

const annotation = (obj: KubeObject): string | undefined => obj.metadata?.annotations?.[AUTO_UPDATE_ANNOTATION];

/** Whether the producer keeps a suggested object's spec: its annotation, else untouched since created. */
function keepsSpecUpdated(obj: KubeObject): boolean {
  return parseBool(annotation(obj)) ?? obj.metadata?.generation === 1;
}

/**
 * One bootstrap object: created when missing; otherwise its spec and annotation revised as
 * upstream's ensure strategy decides (`mandatory`: the spec is always kept).
 */
async function ensureObject(store: ResourceStore, bootstrap: KubeObject, mandatory: boolean): Promise<void> {
  const name = bootstrap.metadata?.name ?? '';
  for (;;) {
    const current = await store.get(undefined, name).catch((err: unknown) => {
      if (isReason(err, 'NotFound')) return undefined;
      throw err;
    });
    if (!current) {
      try {
        await store.create(undefined, structuredClone(bootstrap), { fieldManager: CONFIG_PRODUCER });
        return;
      } catch (err) {
        if (isReason(err, 'AlreadyExists')) continue;
        throw err;
      }
    }
    const wanted = structuredClone(bootstrap);
    store.definition.defaults?.(wanted);
    // The exempt level's own settings are the operator's to tune (upstream's ensurer keeps them).
    const currentExempt = (current.spec as { exempt?: unknown } | undefined)?.exempt;
    if (store.definition.kind === 'PriorityLevelConfiguration' && name === 'exempt' && currentExempt) (wanted.spec as { exempt?: unknown }).exempt = currentExempt;
    const autoUpdate = mandatory || keepsSpecUpdated(current);
    const annotationStale = parseBool(annotation(current)) !== autoUpdate;
    const specStale = autoUpdate && !specsEqual(current.spec, wanted.spec);
    if (!annotationStale && !specStale) return;
    try {
      await store.update(
        undefined,
        name,
        (cur) => {
          const next = structuredClone(cur);
          if (specStale) next.spec = structuredClone(wanted.spec);
          next.metadata = { ...next.metadata, annotations: { ...next.metadata?.annotations, [AUTO_UPDATE_ANNOTATION]: String(autoUpdate) } };
          return next;
        },
        { target: 'main', fieldManager: CONFIG_PRODUCER },
      );
      return;
    } catch (err) {
      // Deleted meanwhile: create it again.
      if (isReason(err, 'NotFound')) continue;
      throw err;
    }
  }
}

/** Deletes the objects outside the bootstrap set that still ask to be kept up to date. */
async function removeUnwanted(store: ResourceStore, bootstrap: readonly KubeObject[]): Promise<void> {
  const names = new Set(bootstrap.map((o) => o.metadata?.name));
  const list = await store.list(undefined, {});
  for (const obj of list.items) {
    const name = obj.metadata?.name ?? '';
    if (names.has(name) || annotation(obj) === undefined || parseBool(annotation(obj)) !== true) continue;
    await store.delete(undefined, name, { preconditions: { resourceVersion: obj.metadata?.resourceVersion } }).catch((err: unknown) => {
      if (!isReason(err, 'NotFound') && !isReason(err, 'Conflict')) throw err;
    });
  }
}

/** One pass of the producer: suggested objects, then mandatory ones, then removals (upstream's order). */
export async function ensureFlowControlConfiguration(stores: FlowControlStores): Promise<void> {
  const kinds = [
    { store: stores.flowSchemas, mandatory: MANDATORY_FLOW_SCHEMAS, suggested: SUGGESTED_FLOW_SCHEMAS },
    { store: stores.priorityLevels, mandatory: MANDATORY_PRIORITY_LEVELS, suggested: SUGGESTED_PRIORITY_LEVELS },
  ];
  for (const k of kinds) for (const obj of k.suggested) await ensureObject(k.store, obj as KubeObject, false);
  for (const k of kinds) for (const obj of k.mandatory) await ensureObject(k.store, obj as KubeObject, true);
  for (const k of kinds) await removeUnwanted(k.store, [...k.mandatory, ...k.suggested] as KubeObject[]);
}

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** The `Dangling` condition a FlowSchema should carry, given whether its priority level exists. */
function danglingCondition(plName: string, exists: boolean): Condition {
  return exists
    ? { type: 'Dangling', status: 'False', reason: 'Found', message: `This FlowSchema references the PriorityLevelConfiguration object named "${plName}" and it exists` }
    : { type: 'Dangling', status: 'True', reason: 'NotFound', message: `This FlowSchema references the PriorityLevelConfiguration object named "${plName}" but there is no such object` };
}

/** Sets every FlowSchema's `Dangling` condition where it is missing or out of date. */
export async function syncFlowSchemaStatus(stores: FlowControlStores): Promise<void> {
  const levels = new Set((await stores.priorityLevels.list(undefined, {})).items.map((p) => p.metadata?.name));
  for (const fs of (await stores.flowSchemas.list(undefined, {})).items) {
    const plName = String((fs.spec as { priorityLevelConfiguration?: { name?: string } } | undefined)?.priorityLevelConfiguration?.name ?? '');
    const want = danglingCondition(plName, levels.has(plName));
    const have = ((fs.status as { conditions?: Condition[] } | undefined)?.conditions ?? []).find((c) => c.type === 'Dangling');
    if (have && have.status === want.status && have.reason === want.reason && have.message === want.message) continue;
    const condition = { ...want, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
    await stores.flowSchemas
      .update(
        undefined,
        fs.metadata?.name ?? '',
        (cur) => {
          const conditions = ((cur.status as { conditions?: Condition[] } | undefined)?.conditions ?? []).filter((c) => c.type !== 'Dangling');
          return { ...cur, status: { ...(cur.status as object), conditions: [...conditions, condition] } };
        },
        { target: 'status', fieldManager: CONFIG_CONSUMER },
      )
      .catch((err: unknown) => {
        if (!isReason(err, 'NotFound')) throw err;
      });
  }
}

/** Calls `onEvent` for every event of the store's watch, restarting it after failures, until `signal` aborts. */
async function follow(store: ResourceStore, signal: AbortSignal, onEvent: () => void): Promise<void> {
  while (!signal.aborted) {
    try {
      for await (const ev of await store.watch(undefined, {}, signal)) {
        if (ev.type === 'ERROR') break;
        onEvent();
      }
    } catch {
      // The watch failed (storage restart): start over after a pause.
    }
    if (!signal.aborted) await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Runs the producer every minute and keeps the FlowSchemas' status in line with the priority
 * levels (on every change of either), until `signal` aborts. The first producer pass is the
 * caller's, at start.
 */
export function startFlowControlConfigController(stores: FlowControlStores, signal: AbortSignal): Promise<void> {
  let pending: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  const schedule = (): void => {
    if (signal.aborted || pending) return;
    pending = setTimeout(() => {
      pending = undefined;
      running = running.then(() => syncFlowSchemaStatus(stores)).catch(() => undefined);
    }, 50);
  };
  const producer = setInterval(() => {
    running = running.then(() => ensureFlowControlConfiguration(stores)).catch(() => undefined);
  }, PRODUCER_INTERVAL_MS);
  signal.addEventListener('abort', () => {
    clearInterval(producer);
    if (pending) clearTimeout(pending);
  });
  schedule();
  return Promise.all([follow(stores.flowSchemas, signal, schedule), follow(stores.priorityLevels, signal, schedule)]).then(() => running);
}

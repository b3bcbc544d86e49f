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
import type { ApiHandler } from '../endpoints/api-call.js';
import type { ApiCatalog } from '../endpoints/catalog.js';
import { followLoopback, type LoopbackResource, loopbackResource } from './loopback-client.js';

/** The field managers upstream's producer and consumer write as. */
export const CONFIG_PRODUCER = 'api-priority-and-fairness-config-producer-v1';
export const CONFIG_CONSUMER = 'api-priority-and-fairness-config-consumer-v1';

const PRODUCER_INTERVAL_MS = 60_000;

/** The two resources the configuration lives in, reached through the server's own API (as upstream's loopback client). */
export interface FlowControlStores {
  flowSchemas: LoopbackResource;
  priorityLevels: LoopbackResource;
  /** The v1 defaults of each kind, applied to a bootstrap object before its spec is compared. */
  defaults: { flowSchemas(obj: KubeObject): void; priorityLevels(obj: KubeObject): void };
}

const GROUP = 'flowcontrol.apiserver.k8s.io';
const VERSION = 'v1';

/** The configuration's resources when the server serves flowcontrol.apiserver.k8s.io/v1 (upstream installs the producer only then). */
export function flowControlResources(catalog: ApiCatalog, handler: ApiHandler, signal: AbortSignal): FlowControlStores | undefined {
  const fs = catalog.resource(GROUP, VERSION, 'flowschemas');
  const pl = catalog.resource(GROUP, VERSION, 'prioritylevelconfigurations');
  if (!fs || !pl) return undefined;
  const none = (): void => undefined;
  return {
    flowSchemas: loopbackResource(handler, GROUP, VERSION, 'flowschemas', signal),
    priorityLevels: loopbackResource(handler, GROUP, VERSION, 'prioritylevelconfigurations', signal),
    defaults: { flowSchemas: fs.definition.defaults ?? none, priorityLevels: pl.definition.defaults ?? none },
  };
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
async function ensureObject(
  client: LoopbackResource,
  defaults: (obj: KubeObject) => void,
  keepOwn: ((wanted: KubeObject, current: KubeObject) => void) | undefined,
  bootstrap: KubeObject,
  mandatory: boolean,
  listed: KubeObject | undefined,
): Promise<void> {
  const name = bootstrap.metadata?.name ?? '';
  for (let attempt = 0; ; attempt++) {
    // The listed state first; after a conflict, the object as it is now.
    const current = attempt === 0 ? listed : await client.get(name);
    if (!current) {
      try {
        await client.create(structuredClone(bootstrap), CONFIG_PRODUCER);
        return;
      } catch (err) {
        if (isReason(err, 'AlreadyExists')) continue;
        throw err;
      }
    }
    const wanted = structuredClone(bootstrap);
    defaults(wanted);
    keepOwn?.(wanted, current);
    const autoUpdate = mandatory || keepsSpecUpdated(current);
    const annotationStale = parseBool(annotation(current)) !== autoUpdate;
    const specStale = autoUpdate && !specsEqual(current.spec, wanted.spec);
    if (!annotationStale && !specStale) return;
    const next = structuredClone(current);
    if (specStale) next.spec = structuredClone(wanted.spec);
    next.metadata = { ...next.metadata, annotations: { ...next.metadata?.annotations, [AUTO_UPDATE_ANNOTATION]: String(autoUpdate) } };
    try {
      await client.update(next, CONFIG_PRODUCER);
      return;
    } catch (err) {
      // Changed or deleted meanwhile: look again.
      if (isReason(err, 'Conflict') || isReason(err, 'NotFound')) continue;
      throw err;
    }
  }
}

/** Deletes the objects outside the bootstrap set that still ask to be kept up to date. */
async function removeUnwanted(client: LoopbackResource, bootstrap: readonly KubeObject[]): Promise<void> {
  const names = new Set(bootstrap.map((o) => o.metadata?.name));
  for (const obj of await client.list()) {
    const name = obj.metadata?.name ?? '';
    if (names.has(name) || parseBool(annotation(obj)) !== true) continue;
    await client.delete(name, obj.metadata?.resourceVersion).catch((err: unknown) => {
      if (!isReason(err, 'NotFound') && !isReason(err, 'Conflict')) throw err;
    });
  }
}

/** The exempt level's own settings are the operator's to tune: upstream's ensurer compares and writes the rest. */
function keepExemptSettings(wanted: KubeObject, current: KubeObject): void {
  const currentExempt = (current.spec as { exempt?: unknown } | undefined)?.exempt;
  if (wanted.metadata?.name === 'exempt' && currentExempt) (wanted.spec as { exempt?: unknown }).exempt = currentExempt;
}

/** One pass of the producer: suggested objects, then mandatory ones, then removals (upstream's order). */
export async function ensureFlowControlConfiguration(stores: FlowControlStores): Promise<void> {
  const kinds = [
    { client: stores.flowSchemas, defaults: stores.defaults.flowSchemas, keepOwn: undefined, mandatory: MANDATORY_FLOW_SCHEMAS, suggested: SUGGESTED_FLOW_SCHEMAS },
    { client: stores.priorityLevels, defaults: stores.defaults.priorityLevels, keepOwn: keepExemptSettings, mandatory: MANDATORY_PRIORITY_LEVELS, suggested: SUGGESTED_PRIORITY_LEVELS },
  ];
  const listed = await Promise.all(kinds.map(async (k) => new Map((await k.client.list()).map((o) => [o.metadata?.name, o]))));
  for (const mandatory of [false, true]) {
    for (const [i, k] of kinds.entries()) {
      for (const obj of mandatory ? k.mandatory : k.suggested) await ensureObject(k.client, k.defaults, k.keepOwn, obj as KubeObject, mandatory, listed[i]?.get(obj.metadata?.name));
    }
  }
  for (const k of kinds) await removeUnwanted(k.client, [...k.mandatory, ...k.suggested] as KubeObject[]);
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

/** Sets every FlowSchema's `Dangling` condition where it is missing or out of date (a forced apply to `/status`, as upstream's consumer). */
export async function syncFlowSchemaStatus(stores: FlowControlStores): Promise<void> {
  const levels = new Set((await stores.priorityLevels.list()).map((p) => p.metadata?.name));
  for (const fs of await stores.flowSchemas.list()) {
    const plName = String((fs.spec as { priorityLevelConfiguration?: { name?: string } } | undefined)?.priorityLevelConfiguration?.name ?? '');
    const want = danglingCondition(plName, levels.has(plName));
    const have = ((fs.status as { conditions?: Condition[] } | undefined)?.conditions ?? []).find((c) => c.type === 'Dangling');
    if (have && have.status === want.status && have.reason === want.reason && have.message === want.message) continue;
    const condition = { ...want, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
    const name = fs.metadata?.name ?? '';
    const patch = { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name }, status: { conditions: [condition] } };
    await stores.flowSchemas.apply(name, patch, CONFIG_CONSUMER, 'status').catch((err: unknown) => {
      if (!isReason(err, 'NotFound')) throw err;
    });
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
  return Promise.all([followLoopback(stores.flowSchemas, signal, schedule), followLoopback(stores.priorityLevels, signal, schedule)]).then(() => running);
}

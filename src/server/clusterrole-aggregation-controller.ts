/**
 * What upstream's clusterrole-aggregation controller keeps, run in-process: a ClusterRole with
 * an `aggregationRule` has as rules those of every other ClusterRole its selectors match, in
 * the order of their names, each distinct rule once. Any ClusterRole change runs a pass over
 * all of them; a pass that changes one role causes the next (edit gathers view, admin gathers
 * edit), until nothing changes. Writes are updates conditional on resourceVersion through the
 * server's own API, under the controller's name.
 */
import type { ClusterRole, PolicyRule } from '../../gen/kube/rbac-v1.js';
import { ApiError } from '../machinery/errors/index.js';
import { jsonEqual, type KubeObject } from '../machinery/meta/object.js';
import { labelSelectorFromObject } from '../machinery/selection/labels.js';
import { followLoopback, type LoopbackResource } from './loopback-client.js';

const CONTROLLER = 'clusterrole-aggregation-controller';

/** The rules `role` aggregates from `all`, or undefined when it has no aggregation rule. */
export function aggregatedRules(role: ClusterRole, all: readonly ClusterRole[]): PolicyRule[] | undefined {
  const selectors = role.aggregationRule?.clusterRoleSelectors;
  if (!selectors) return undefined;
  const matchers = selectors.map((s) => labelSelectorFromObject({ matchLabels: s.matchLabels ?? {}, matchExpressions: (s.matchExpressions ?? []).map((e) => ({ key: e.key ?? '', operator: e.operator ?? '', values: e.values ?? [] })) }));
  const sources = all
    .filter((r) => r.metadata?.name !== role.metadata?.name && matchers.some((m) => m.matches(r.metadata?.labels)))
    .sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
  const rules: PolicyRule[] = [];
  for (const source of sources) for (const rule of source.rules ?? []) if (!rules.some((r) => jsonEqual(r, rule))) rules.push(rule);
  return rules;
}

/** One pass: every aggregated role whose rules differ is updated; returns how many were. */
async function reconcile(roles: LoopbackResource): Promise<number> {
  const all = (await roles.list()) as ClusterRole[];
  let changed = 0;
  for (const role of all) {
    const rules = aggregatedRules(role, all);
    if (!rules || jsonEqual(rules, role.rules ?? [])) continue;
    try {
      await roles.update({ ...(role as KubeObject), rules } as KubeObject, CONTROLLER);
      changed++;
    } catch (err) {
      // A concurrent change: its own event runs another pass.
      if (!(err instanceof ApiError && (err.reason === 'Conflict' || err.reason === 'NotFound'))) throw err;
    }
  }
  return changed;
}

/** Runs until `signal` aborts. */
export async function startClusterRoleAggregationController(roles: LoopbackResource, signal: AbortSignal): Promise<void> {
  let running = false;
  let again = false;
  const pass = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        await reconcile(roles).catch(() => undefined);
      } while (again && !signal.aborted);
    } finally {
      running = false;
    }
  };
  await followLoopback(roles, signal, () => void pass());
}

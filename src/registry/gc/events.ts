/**
 * The warning event the collector records about an ownerReference that can never hold
 * (a cluster-scoped object naming a namespaced owner), as upstream's graph builder does.
 */
import { nowRfc3339 } from '../../machinery/meta/object.js';
import { definitionApiVersion } from '../rest/definition.js';
import type { ResourceStore } from '../rest/resource-store.js';
import type { ServedResource } from '../rest/served.js';
import type { OwnerReference } from './owners.js';

/** The event source upstream's collector reports as. */
export const COLLECTOR_COMPONENT = 'garbage-collector-controller';

/** Records `OwnerRefInvalidNamespace` about `dependent` (of kind `def`), in its namespace or `default`. */
export async function recordOwnerRefInvalidNamespace(
  stores: readonly ResourceStore[],
  def: ServedResource,
  dependent: { name: string; uid: string; namespace: string | undefined },
  ref: OwnerReference,
): Promise<void> {
  const events = stores.find((s) => s.definition.group === '' && s.definition.resource === 'events');
  if (!events) return;
  const namespace = dependent.namespace ?? '';
  const now = nowRfc3339();
  const nanos = BigInt(Date.now()) * 1_000_000n;
  const owner = `[${ref.apiVersion}/${ref.kind}, namespace: ${namespace}, name: ${ref.name}, uid: ${ref.uid}]`;
  await events.create(
    namespace || 'default',
    {
      metadata: { name: `${dependent.name}.${nanos.toString(16)}`, namespace: namespace || 'default' },
      involvedObject: {
        kind: def.kind,
        apiVersion: definitionApiVersion(def),
        ...(namespace ? { namespace } : {}),
        name: dependent.name,
        uid: dependent.uid,
      },
      reason: 'OwnerRefInvalidNamespace',
      message: `ownerRef ${owner} does not exist in namespace "${namespace}"`,
      source: { component: COLLECTOR_COMPONENT },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type: 'Warning',
      eventTime: null,
      reportingComponent: COLLECTOR_COMPONENT,
      reportingInstance: '',
    },
    {},
  );
}

/**
 * core/v1 ComponentStatus (deprecated upstream since 1.19, still served): read-only, computed
 * on request. Upstream probes etcd, the scheduler and the controller manager; this server has
 * only its storage, so it answers for that one component (`etcd-0` on etcd, `storage` for the
 * embedded store): Healthy True with message `ok` when a read reaches the backend, False with
 * the error otherwise.
 */
import type { ComponentStatus } from '../../../gen/kube/core-v1.js';
import { internalError } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import type { ComputedContext, ResourceDefinition } from '../rest/definition.js';
import { declared } from '../rest/declared.js';
import { str } from './fields.js';

async function probe(ctx: ComputedContext): Promise<KubeObject> {
  let condition: Record<string, string>;
  try {
    await ctx.store.currentResourceVersion();
    condition = { type: 'Healthy', status: 'True', message: 'ok' };
  } catch (err) {
    condition = { type: 'Healthy', status: 'False', error: err instanceof Error ? err.message : String(err) };
  }
  return { metadata: { name: ctx.storageComponent }, conditions: [condition] } as KubeObject;
}

function healthy(obj: ComponentStatus): { status: string; message: string; error: string } {
  const c = (obj.conditions ?? []).find((x) => x.type === 'Healthy');
  if (!c) return { status: 'Unknown', message: '', error: '' };
  return { status: c.status === 'True' ? 'Healthy' : 'Unhealthy', message: str(c.message), error: str(c.error) };
}

/** The ComponentStatus resource. */
export const componentStatuses: ResourceDefinition<ComponentStatus> = {
  ...declared('', 'componentstatuses'),
  nameValidator: isDns1123Subdomain,
  strategy: {},
  computed: {
    list: async (ctx) => [await probe(ctx)],
    async get(ctx, name) {
      // Upstream answers an unknown component with a plain error: a 500.
      if (name !== ctx.storageComponent) throw internalError(new Error(`Component not found: ${name}`));
      return probe(ctx);
    },
  },
  printsAge: false,
  printerColumns: [
    { name: 'Status', type: 'string', description: 'Status of the component conditions', cell: (obj) => healthy(obj).status },
    { name: 'Message', type: 'string', description: 'Message of the component conditions', cell: (obj) => healthy(obj).message },
    { name: 'Error', type: 'string', description: 'Error of the component conditions', cell: (obj) => healthy(obj).error },
  ],
};

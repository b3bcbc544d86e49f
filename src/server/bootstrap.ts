/** Objects every cluster has from its first start. */
import { ApiError } from '../machinery/errors/index.js';
import type { ResourceStore } from '../registry/rest/resource-store.js';
import { SYSTEM_PRIORITY_CLASSES } from '../registry/scheduling/priorityclasses.js';

/** The namespaces kube-apiserver creates on start. */
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Creates the system namespaces if they are missing (idempotent across restarts). */
export async function bootstrapNamespaces(namespaces: ResourceStore): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) {
    try {
      await namespaces.create(undefined, { metadata: { name } }, {});
    } catch (err) {
      if (!(err instanceof ApiError && err.reason === 'AlreadyExists')) throw err;
    }
  }
}

/** Creates upstream's system PriorityClasses if they are missing (idempotent across restarts). */
export async function bootstrapPriorityClasses(priorityClasses: ResourceStore): Promise<void> {
  for (const pc of SYSTEM_PRIORITY_CLASSES) {
    try {
      await priorityClasses.create(undefined, structuredClone(pc) as Record<string, unknown>, {});
    } catch (err) {
      if (!(err instanceof ApiError && err.reason === 'AlreadyExists')) throw err;
    }
  }
}

/**
 * core/v1 `bindings` (upstream's LegacyBindingREST): a POST of a Binding to a namespace binds
 * the pod its metadata names, exactly as a POST to that pod's `binding` subresource. Create only,
 * nothing stored.
 */
import type { Binding } from '../../../gen/kube/core-v1.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { declared } from '../rest/declared.js';
import { podBinding } from './pod-actions.js';

/** The bindings resource. */
export const bindings: ResourceDefinition<Binding> = {
  ...declared('', 'bindings'),
  nameValidator: isDns1123Subdomain,
  strategy: {},
  computed: {
    async create(ctx, namespace, obj, dryRun) {
      const pods = ctx.storage('', 'pods');
      if (!pods) throw new Error('the pods resource is not installed');
      const result = await podBinding.create({
        namespace,
        name: obj.metadata?.name ?? '',
        body: obj,
        dryRun: dryRun ? ['All'] : [],
        parent: pods,
        resource: (group, _version, resource) => ctx.storage(group, resource),
      });
      return result.object as KubeObject;
    },
  },
};

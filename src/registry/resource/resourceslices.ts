/**
 * resource.k8s.io ResourceSlice (v1beta1, the storage version, and v1beta2, converted; both
 * off unless --runtime-config turns them on): some of the devices one driver offers in one
 * pool, on one node, on nodes a selector picks, or on all nodes. Field selectors
 * `spec.nodeName` and `spec.driver` work as upstream's.
 */
import type { ResourceSlice } from '../../../gen/kube/resource-v1beta1.js';
import type * as v1beta2 from '../../../gen/kube/resource-v1beta2.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import { isDns1123Subdomain } from '../../machinery/validation/names.js';
import { declared } from '../rest/declared.js';
import type { ResourceDefinition } from '../rest/definition.js';
import { sliceToV1beta1, sliceToV1beta2 } from './conversion.js';
import { defaultSlice } from './defaults.js';
import { validateSliceSpec } from './validation.js';

const asV1beta2 = (obj: ResourceSlice): v1beta2.ResourceSlice => sliceToV1beta2(obj as KubeObject) as v1beta2.ResourceSlice;

/** The ResourceSlice resource. */
export const resourceSlices: ResourceDefinition<ResourceSlice> = {
  ...declared('resource.k8s.io', 'resourceslices', {
    v1beta1: { defaults: defaultSlice('v1beta1') },
    v1beta2: { fromStorage: sliceToV1beta2, toStorage: sliceToV1beta1, defaults: defaultSlice('v1beta2') },
  }),
  nameValidator: isDns1123Subdomain,
  tracksGeneration: true,
  strategy: {
    validate: (obj) => validateSliceSpec(asV1beta2(obj).spec, undefined, 'spec'),
    validateUpdate: (obj, old) => validateSliceSpec(asV1beta2(obj).spec, asV1beta2(old).spec, 'spec'),
  },
  selectableFields: (obj) => ({ 'spec.nodeName': obj.spec?.nodeName ?? '', 'spec.driver': obj.spec?.driver ?? '' }),
  printerColumns: [
    { name: 'Node', type: 'string', description: 'The node that provides the pool\'s devices, when one node does.', cell: (obj) => obj.spec?.nodeName ?? '' },
    { name: 'Driver', type: 'string', description: 'The driver that publishes and manages the devices.', cell: (obj) => obj.spec?.driver ?? '' },
    { name: 'Pool', type: 'string', description: 'The name of the pool the devices belong to.', cell: (obj) => obj.spec?.pool?.name ?? '' },
  ],
};

/**
 * Finds the generated gRPC service definition of a resource by naming convention:
 * package `wheelhouse.<group-or-core>.v1`, service `<Kind>Service`.
 */
import type { ServiceDefinition } from '@grpc/grpc-js';
import * as appsV1 from '../../../gen/wheelhouse/apps/v1/services.js';
import * as batchV1 from '../../../gen/wheelhouse/batch/v1/services.js';
import * as coreV1 from '../../../gen/wheelhouse/core/v1/services.js';
import type { ServedResource } from '../../registry/rest/served.js';

/** Generated service modules by proto package. */
const MODULES: Record<string, Record<string, unknown>> = {
  'wheelhouse.core.v1': coreV1,
  'wheelhouse.apps.v1': appsV1,
  'wheelhouse.batch.v1': batchV1,
};

/** A resource's service: its full proto name and the grpc-js definition. */
export interface ResourceService {
  /** `wheelhouse.core.v1.ConfigMapService`. */
  name: string;
  definition: ServiceDefinition;
}

/** The proto package serving a group version: `wheelhouse.core.v1`, `wheelhouse.apps.v1`. */
export function servicePackage(group: string, version: string): string {
  return `wheelhouse.${group === '' ? 'core' : (group.split('.')[0] as string)}.${version}`;
}

/** The generated service of a resource, or undefined when none was generated. */
export function serviceForDefinition(def: ServedResource): ResourceService | undefined {
  const pkg = servicePackage(def.group, def.version);
  const module = MODULES[pkg];
  const definition = module?.[`${def.kind}ServiceService`] as ServiceDefinition | undefined;
  if (!definition) return undefined;
  const name = `${pkg}.${def.kind}Service`;
  // Guard against a same-named export from another package.
  const first = Object.values(definition)[0];
  if (!first || !first.path.startsWith(`/${name}/`)) return undefined;
  return { name, definition };
}

/**
 * Where each resource PodSecurity looks at keeps its pod: the Pod itself, or the pod
 * template of a controller (upstream's DefaultPodSpecExtractor).
 */
import type { KubeObject } from '../../../machinery/meta/object.js';
import type { PodMetadata, PodSpec } from './pod-shape.js';

interface PodTemplateSpec {
  metadata?: PodMetadata;
  spec?: PodSpec;
}

type Extract = (obj: KubeObject) => PodTemplateSpec | undefined;

const spec = (obj: KubeObject) => (obj.spec ?? {}) as Record<string, unknown>;
const specTemplate: Extract = (obj) => spec(obj).template as PodTemplateSpec | undefined;

/** The pod controllers by `group/resource`. */
const CONTROLLERS: Record<string, Extract> = {
  '/podtemplates': (obj) => (obj as { template?: PodTemplateSpec }).template ?? {},
  '/replicationcontrollers': specTemplate,
  'apps/replicasets': (obj) => specTemplate(obj) ?? {},
  'apps/deployments': (obj) => specTemplate(obj) ?? {},
  'apps/statefulsets': (obj) => specTemplate(obj) ?? {},
  'apps/daemonsets': (obj) => specTemplate(obj) ?? {},
  'batch/jobs': (obj) => specTemplate(obj) ?? {},
  'batch/cronjobs': (obj) => ((spec(obj).jobTemplate as { spec?: { template?: PodTemplateSpec } } | undefined)?.spec?.template ?? {}),
};

/** Whether `group/resource` is a pod controller PodSecurity checks. */
export function isPodController(group: string, resource: string): boolean {
  return `${group}/${resource}` in CONTROLLERS;
}

/** The controller's pod template; undefined when it has none (a ReplicationController may omit it). */
export function podTemplateOf(group: string, resource: string, obj: KubeObject): PodTemplateSpec | undefined {
  return CONTROLLERS[`${group}/${resource}`]?.(obj);
}

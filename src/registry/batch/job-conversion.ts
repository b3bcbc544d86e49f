/**
 * Job conversion between batch/v1 (the hub and storage version) and batch/v2alpha1,
 * over Kubernetes JSON. batch/v2alpha1 serves Job with batch/v1's own schema, so a
 * conversion only renames the apiVersion. Pure: the input is never mutated.
 */
import { cloneObject, type KubeObject } from '../../machinery/meta/object.js';

function withVersion(obj: KubeObject, apiVersion: string): KubeObject {
  const { apiVersion: _apiVersion, kind: _kind, ...rest } = cloneObject(obj);
  return { apiVersion, kind: 'Job', ...rest };
}

/** batch/v1 Job -> batch/v2alpha1 Job. */
export function jobV1ToV2alpha1(obj: KubeObject): KubeObject {
  return withVersion(obj, 'batch/v2alpha1');
}

/** batch/v2alpha1 Job -> batch/v1 Job. */
export function jobV2alpha1ToV1(obj: KubeObject): KubeObject {
  return withVersion(obj, 'batch/v1');
}

/**
 * How the generic store names its resource: apiVersion and kind on objects, group and
 * resource in errors.
 */
import type { Qualified } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import { definitionApiVersion } from '../rest/definition.js';
import type { ServedResource } from '../rest/served.js';

/** The object without apiVersion and kind (how list items and strategies see it). */
export function stripType(obj: KubeObject): KubeObject {
  const { apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

/**
 * The object with the resource's apiVersion and kind: what is returned, and what is
 * stored (values carry their type, as kube-apiserver writes them). Stored values
 * without a type (the previous release's) read with it too.
 */
export function withType(def: ServedResource, obj: KubeObject): KubeObject {
  return { apiVersion: definitionApiVersion(def), kind: def.kind, ...stripType(obj) };
}

/** The resource as API errors name it. */
export function qualified(def: ServedResource): Qualified {
  return { resource: def.resource, group: def.group };
}

/** Which verbs a resource and its subresources serve: derived from the definition. */
import type { ResourceDefinition } from '../registry/rest/definition.js';
import type { Verb } from './api-call.js';

const ALL: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const STATUS: Verb[] = ['get', 'patch', 'update'];

/** Verbs of the main resource, sorted as discovery lists them. */
export function resourceVerbs(def: ResourceDefinition): Verb[] {
  const disabled = new Set(def.disabledVerbs ?? []);
  return ALL.filter((v) => !disabled.has(v));
}

/** Subresources with their verbs. */
export function subresources(def: ResourceDefinition): { name: string; verbs: Verb[] }[] {
  return def.statusStrategy ? [{ name: 'status', verbs: STATUS }] : [];
}

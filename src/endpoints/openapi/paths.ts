/**
 * The `paths` entries of one resource: collection, cross-namespace list, item and
 * subresource paths, with upstream-style operation ids and Kubernetes extensions.
 */
import type { KindRef } from '../../registry/rest/definition.js';
import type { ServedResource } from '../../registry/rest/served.js';
import type { Verb } from '../api-call.js';
import { hasForeignKind, resourceVerbs, subresources } from '../verbs.js';
import { type GroupVersionKind, groupVersionIdentifier, groupVersionTag, refTo, type Schema } from './names.js';
import { deleteParams, listParams, nameParam, namespaceParam, patchParams, prettyParam, writeParams } from './parameters.js';

/** Component names the operations of one resource refer to. */
export interface ResourceSchemaNames {
  kind: string;
  list: string;
  status: string;
  deleteOptions: string;
  patch: string;
  /** Built-in kinds (with a proto message) take strategic merge patches and protobuf. */
  builtin: boolean;
  /** The component of a subresource's own kind (e.g. autoscaling/v1 Scale), added on demand. */
  subresourceKind: (kind: KindRef) => string;
}

const JSON_PATCH = 'application/json-patch+json';
const MERGE_PATCH = 'application/merge-patch+json';
const STRATEGIC_PATCH = 'application/strategic-merge-patch+json';
const APPLY_PATCH = 'application/apply-patch+yaml';

function content(schemaName: string, types: string[]): Schema {
  const out: Schema = {};
  for (const t of types) out[t] = { schema: refTo(schemaName) };
  return out;
}

function responseTypes(builtin: boolean, watch = false): string[] {
  const types = ['application/json', 'application/yaml'];
  if (builtin) types.push('application/vnd.kubernetes.protobuf');
  if (watch) {
    types.push('application/json;stream=watch');
    if (builtin) types.push('application/vnd.kubernetes.protobuf;stream=watch');
  }
  return types;
}

function responses(schemaName: string, codes: string[], types: string[]): Schema {
  const out: Schema = {};
  const text: Record<string, string> = { '200': 'OK', '201': 'Created', '202': 'Accepted' };
  for (const c of codes) out[c] = { description: text[c] ?? c, content: content(schemaName, types) };
  out['401'] = { description: 'Unauthorized' };
  return out;
}

/** Builds the path items of one resource into `paths`. */
export function addResourcePaths(paths: Record<string, Schema>, def: ServedResource, names: ResourceSchemaNames): void {
  const gvId = groupVersionIdentifier(def.group, def.version);
  const tags = [groupVersionTag(def.group, def.version)];
  const gvk = { group: def.group, version: def.version, kind: def.kind };
  const prefix = def.group ? `/apis/${def.group}/${def.version}` : `/api/${def.version}`;
  const verbs = new Set<Verb>(resourceVerbs(def));
  const scope = def.namespaced ? 'Namespaced' : '';
  const collection = def.namespaced ? `${prefix}/namespaces/{namespace}/${def.resource}` : `${prefix}/${def.resource}`;
  const item = `${collection}/{name}`;
  const scopeParams = def.namespaced ? [namespaceParam()] : [];
  const objTypes = responseTypes(names.builtin);

  const op = (operationId: string, action: string, extra: Schema, kind: GroupVersionKind = gvk): Schema => ({
    tags,
    operationId,
    ...extra,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { ...kind },
  });

  const patchBody = (): Schema => {
    const types = names.builtin ? [JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH, APPLY_PATCH] : [JSON_PATCH, MERGE_PATCH, APPLY_PATCH];
    return { content: content(names.patch, types), required: true };
  };
  const objectBody = (schemaName = names.kind): Schema => ({ content: content(schemaName, ['*/*']), required: true });

  // Collection: list/watch, create, deletecollection.
  const coll: Schema = {};
  if (verbs.has('list') || verbs.has('watch')) {
    coll.get = op(`list${gvId}${scope}${def.kind}`, 'list', {
      description: `list or watch objects of kind ${def.kind}`,
      parameters: listParams(),
      responses: responses(names.list, ['200'], responseTypes(names.builtin, true)),
    });
  }
  if (verbs.has('create')) {
    coll.post = op(`create${gvId}${scope}${def.kind}`, 'post', {
      description: `create a ${def.kind}`,
      parameters: writeParams(),
      requestBody: objectBody(),
      responses: responses(names.kind, ['200', '201', '202'], objTypes),
    });
  }
  if (verbs.has('deletecollection')) {
    coll.delete = op(`delete${gvId}Collection${scope}${def.kind}`, 'deletecollection', {
      description: `delete collection of ${def.kind}`,
      parameters: [...deleteParams(), ...listParams().filter((p) => p.name !== 'watch' && p.name !== 'allowWatchBookmarks')],
      requestBody: { content: content(names.deleteOptions, ['*/*']) },
      responses: responses(names.status, ['200'], objTypes),
    });
  }
  if (Object.keys(coll).length > 0) paths[collection] = { ...coll, parameters: [...scopeParams, prettyParam()] };

  // Cross-namespace list/watch.
  if (def.namespaced && (verbs.has('list') || verbs.has('watch'))) {
    paths[`${prefix}/${def.resource}`] = {
      get: op(`list${gvId}${def.kind}ForAllNamespaces`, 'list', {
        description: `list or watch objects of kind ${def.kind}`,
        parameters: listParams(),
        responses: responses(names.list, ['200'], responseTypes(names.builtin, true)),
      }),
      parameters: [prettyParam()],
    };
  }

  // Item: get, replace, patch, delete.
  const one: Schema = {};
  if (verbs.has('get')) {
    one.get = op(`read${gvId}${scope}${def.kind}`, 'get', {
      description: `read the specified ${def.kind}`,
      responses: responses(names.kind, ['200'], objTypes),
    });
  }
  if (verbs.has('update')) {
    one.put = op(`replace${gvId}${scope}${def.kind}`, 'put', {
      description: `replace the specified ${def.kind}`,
      parameters: writeParams(),
      requestBody: objectBody(),
      responses: responses(names.kind, ['200', '201'], objTypes),
    });
  }
  if (verbs.has('patch')) {
    one.patch = op(`patch${gvId}${scope}${def.kind}`, 'patch', {
      description: `partially update the specified ${def.kind}`,
      parameters: patchParams(),
      requestBody: patchBody(),
      responses: responses(names.kind, ['200', '201'], objTypes),
    });
  }
  if (verbs.has('delete')) {
    one.delete = op(`delete${gvId}${scope}${def.kind}`, 'delete', {
      description: `delete a ${def.kind}`,
      parameters: deleteParams(),
      requestBody: { content: content(names.deleteOptions, ['*/*']) },
      responses: responses(def.returnDeletedObject ? names.kind : names.status, ['200', '202'], objTypes),
    });
  }
  if (Object.keys(one).length > 0) paths[item] = { ...one, parameters: [nameParam(def.kind), ...scopeParams, prettyParam()] };

  // Subresources: get, replace, patch on the parent kind (status) or their own (scale).
  // Connect subresources (proxy) carry no API objects: their operations are not described yet.
  for (const sub of subresources(def).filter((x) => !x.connect)) {
    const suffix = sub.name[0]!.toUpperCase() + sub.name.slice(1);
    const subVerbs = new Set(sub.verbs);
    const foreign = hasForeignKind(def, sub);
    const subSchema = foreign ? names.subresourceKind(sub.kind) : names.kind;
    const subGvk: GroupVersionKind = foreign ? { group: sub.kind.group, version: sub.kind.version, kind: sub.kind.kind } : gvk;
    const s: Schema = {};
    if (subVerbs.has('create')) {
      s.post = op(`create${gvId}${scope}${def.kind}${suffix}`, 'post', {
        description: `create ${sub.name} of a ${def.kind}`,
        parameters: writeParams(),
        requestBody: objectBody(subSchema),
        responses: responses(subSchema, ['200', '201', '202'], objTypes),
      }, subGvk);
    }
    if (subVerbs.has('get')) {
      s.get = op(`read${gvId}${scope}${def.kind}${suffix}`, 'get', {
        description: `read ${sub.name} of the specified ${def.kind}`,
        responses: responses(subSchema, ['200'], objTypes),
      }, subGvk);
    }
    if (subVerbs.has('update')) {
      s.put = op(`replace${gvId}${scope}${def.kind}${suffix}`, 'put', {
        description: `replace ${sub.name} of the specified ${def.kind}`,
        parameters: writeParams(),
        requestBody: objectBody(subSchema),
        responses: responses(subSchema, ['200', '201'], objTypes),
      }, subGvk);
    }
    if (subVerbs.has('patch')) {
      s.patch = op(`patch${gvId}${scope}${def.kind}${suffix}`, 'patch', {
        description: `partially update ${sub.name} of the specified ${def.kind}`,
        parameters: patchParams(),
        requestBody: patchBody(),
        responses: responses(subSchema, ['200', '201'], objTypes),
      }, subGvk);
    }
    if (Object.keys(s).length > 0) paths[`${item}/${sub.name}`] = { ...s, parameters: [nameParam(sub.kind.kind), ...scopeParams, prettyParam()] };
  }
}

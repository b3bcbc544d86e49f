/**
 * `components.schemas` of one group-version document: every message reachable from the
 * served kinds, derived from the same compiled message plans the JSON codec and strategic
 * merge patch use.
 */
import { getMessagePlan, hasMessage, type FieldPlan, type MessagePlan } from '../../machinery/schema/index.js';
import { componentName, type GroupVersionKind, refTo, type Schema } from './names.js';
import { inlineSpecialSchema, scalarSchema, specialComponentSchema } from './special-schemas.js';

/** Collects component schemas for one document. */
export interface ComponentSet {
  /** Whether the proto schema knows this message. */
  has(messageFullName: string): boolean;
  /** Adds a message and everything reachable from it; returns its component name. */
  addMessage(messageFullName: string): string;
  /** Marks a component as a top-level kind: `apiVersion`/`kind` properties and the GVK extension. */
  markKind(name: string, gvk: GroupVersionKind): void;
  /** Adds a hand-made component (kinds without a proto message). */
  put(name: string, schema: Schema): void;
  /** All components, sorted by name. */
  schemas(): Record<string, Schema>;
}

/** The `apiVersion` and `kind` properties every top-level object has, described as kubectl explain shows them. */
export function typeMetaProperties(): Record<string, Schema> {
  return {
    apiVersion: {
      type: 'string',
      description: 'The group and version of the schema this object is written in, such as apps/v1 (just v1 for the core group). Servers convert objects to the version a client asks for.',
    },
    kind: {
      type: 'string',
      description: 'The type of the object in CamelCase, such as Deployment; together with apiVersion it names the schema the rest of the object follows. Cannot be changed on update.',
    },
  };
}

/** Creates an empty component set over the compiled message plans. */
export function createComponentSet(): ComponentSet {
  const out = new Map<string, Schema>();

  function fieldValueSchema(field: FieldPlan): Schema {
    const f = field.schema;
    if (f.kind === 'scalar') return scalarSchema(f.type);
    if (f.kind === 'enum') return { type: 'string' };
    const inline = hasMessage(f.type) ? inlineSpecialSchema(field.message()) : undefined;
    if (inline) return inline;
    return { allOf: [refTo(addMessage(f.type))] };
  }

  function fieldSchema(field: FieldPlan): Schema {
    const f = field.schema;
    const value = fieldValueSchema(field);
    let s: Schema;
    if (field.isMap) s = { type: 'object', additionalProperties: value };
    else if (field.repeated) s = { type: 'array', items: value };
    else s = value;
    if (f.patchMergeKey) s['x-kubernetes-patch-merge-key'] = f.patchMergeKey;
    if (f.patchStrategy) s['x-kubernetes-patch-strategy'] = f.patchStrategy;
    if (f.listType) s['x-kubernetes-list-type'] = f.listType;
    if (f.listMapKeys?.length) s['x-kubernetes-list-map-keys'] = [...f.listMapKeys];
    if (f.mapType) s['x-kubernetes-map-type'] = f.mapType;
    if (f.description) s.description = f.description;
    return s;
  }

  /** Writes the JSON properties of a message, flattening inline members. */
  function collectProperties(msg: MessagePlan, into: Record<string, Schema>, seen: Set<string>): void {
    if (seen.has(msg.fullName)) return;
    seen.add(msg.fullName);
    for (const f of msg.fields) {
      if (f.schema.inline && f.isMessage) {
        if (hasMessage(f.schema.type)) collectProperties(f.message(), into, seen);
        continue;
      }
      into[f.json] = fieldSchema(f);
    }
  }

  function addMessage(fullName: string): string {
    const name = componentName(fullName);
    if (out.has(name)) return name;
    const msg = hasMessage(fullName) ? getMessagePlan(fullName) : undefined;
    const special = msg ? specialComponentSchema(msg) : undefined;
    if (special) {
      out.set(name, special);
      return name;
    }
    // Reserve the name first so recursive types terminate.
    const schema: Schema = { type: 'object' };
    out.set(name, schema);
    if (!msg) return name;
    if (msg.schema.description) schema.description = msg.schema.description;
    const properties: Record<string, Schema> = {};
    collectProperties(msg, properties, new Set());
    if (Object.keys(properties).length > 0) schema.properties = properties;
    // A Go type's own +structType is published on its definition, as upstream's openapi-gen does.
    if (msg.schema.structType) schema['x-kubernetes-map-type'] = msg.schema.structType;
    return name;
  }

  return {
    has: (fullName) => hasMessage(fullName),
    addMessage,
    markKind(name, gvk) {
      const schema = out.get(name);
      if (!schema) throw new Error(`openapi: no component ${name}`);
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      schema.properties = { ...typeMetaProperties(), ...props };
      const list = (schema['x-kubernetes-group-version-kind'] ?? []) as GroupVersionKind[];
      if (!list.some((g) => g.group === gvk.group && g.version === gvk.version && g.kind === gvk.kind)) {
        list.push({ group: gvk.group, kind: gvk.kind, version: gvk.version });
      }
      schema['x-kubernetes-group-version-kind'] = list;
    },
    put(name, schema) {
      out.set(name, schema);
    },
    schemas() {
      const sorted: Record<string, Schema> = {};
      for (const k of [...out.keys()].sort()) sorted[k] = out.get(k)!;
      return sorted;
    },
  };
}

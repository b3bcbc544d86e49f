/**
 * A namespaced example.com/v1 resource described only by an OpenAPI v3 schema, as a custom
 * resource will be: for tests that install such a kind at run time.
 */
import { openApiKindSchema, type KindSchema, type StructuralSchema } from '../../src/machinery/runtime/kind-schema.js';
import type { JsonObject } from '../../src/machinery/schema/json.js';
import { isDns1123Subdomain } from '../../src/machinery/validation/names.js';
import type { ResourceDefinition } from '../../src/registry/rest/definition.js';

/** `kind` (e.g. Gadget) served as `example.com/v1`, plural `resource`, validated by its schema. */
export function openApiResource(kind: string, resource: string, structural: StructuralSchema): { definition: ResourceDefinition; schema: KindSchema } {
  const schema = openApiKindSchema({ group: 'example.com', version: 'v1', kind }, structural);
  const definition: ResourceDefinition = {
    group: 'example.com',
    versions: [{ version: 'v1', typeName: `example.com.v1.${kind}`, listTypeName: `example.com.v1.${kind}List`, schema }],
    storageVersion: 'v1',
    resource,
    kind,
    listKind: `${kind}List`,
    singular: kind.toLowerCase(),
    namespaced: true,
    nameValidator: isDns1123Subdomain,
    strategy: { validate: (obj) => schema.validate(obj as JsonObject), validateUpdate: (obj) => schema.validate(obj as JsonObject) },
  };
  return { definition, schema };
}

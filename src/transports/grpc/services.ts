/**
 * The generated gRPC service of each served resource version, from gen/resources.ts
 * (generated from proto/wheelhouse/resources.yaml). A served version without one is a
 * startup error, never a silently missing service.
 */
import type { ServiceDefinition } from '@grpc/grpc-js';
import { RESOURCES, type ResourceFacts, type ResourceVersionFacts } from '../../../gen/resources.js';
import type { ServedResource } from '../../registry/rest/served.js';

/** A resource's service: its full proto name and the grpc-js definition. */
export interface ResourceService {
  /** `wheelhouse.core.v1.ConfigMapService`. */
  name: string;
  definition: ServiceDefinition;
}

/** The declared facts of a served resource, if declared. */
export function declaredResource(def: Pick<ServedResource, 'group' | 'resource'>): ResourceFacts | undefined {
  return RESOURCES.find((r) => r.group === def.group && r.resource === def.resource);
}

/** The declared facts of a served resource version, if declared. */
export function declaredVersion(def: ServedResource): ResourceVersionFacts | undefined {
  return declaredResource(def)?.versions.find((v) => v.version === def.version);
}

const list = (values: readonly string[] | undefined): string => [...(values ?? [])].sort().join(',');

/**
 * Where a definition and its declaration disagree (names, scope, subresources,
 * messages), as readable differences; empty when they agree.
 */
export function factDifferences(def: ServedResource): string[] {
  const facts = declaredResource(def);
  const version = facts?.versions.find((v) => v.version === def.version);
  if (!facts || !version) return ['not declared'];
  const subresources = [
    ...(def.scale ? ['scale'] : []),
    ...(def.statusStrategy ? ['status'] : []),
    ...Object.keys(def.statusSubresources ?? {}),
    ...(def.proxy ? ['proxy'] : []),
    ...(def.actions ?? []).map((a) => a.name),
  ];
  const pairs: Array<[string, unknown, unknown]> = [
    ['kind', def.kind, facts.kind],
    ['listKind', def.listKind, facts.listKind],
    ['singular', def.singular, facts.singular],
    ['namespaced', def.namespaced, facts.namespaced],
    ['shortNames', list(def.shortNames), list(facts.shortNames)],
    ['categories', list(def.categories), list(facts.categories)],
    ['subresources', list(subresources), list(facts.subresources)],
    // Each action's typed body is the kind its definition decodes by default.
    ['actions', list((def.actions ?? []).map((a) => `${a.name}:${a.kind.typeName}`)), list((facts.actions ?? []).map((a) => `${a.subresource}:${a.bodyType}`))],
    ['typeName', def.typeName, version.objectType],
    ['listTypeName', def.listTypeName, version.listType],
  ];
  return pairs.filter(([, a, b]) => a !== b).map(([field, a, b]) => `${field}: definition ${JSON.stringify(a)}, declared ${JSON.stringify(b)}`);
}

/** The generated service of a resource version; throws when none was generated or the facts disagree. */
export function serviceForDefinition(def: ServedResource): ResourceService {
  const version = declaredVersion(def);
  if (!version) {
    throw new Error(
      `no gRPC service is generated for ${def.group || 'core'}/${def.version} ${def.resource}: declare it in proto/wheelhouse/resources.yaml and run npm run generate`,
    );
  }
  const differences = factDifferences(def);
  if (differences.length > 0) {
    throw new Error(`${def.group || 'core'}/${def.version} ${def.resource} disagrees with proto/wheelhouse/resources.yaml: ${differences.join('; ')}`);
  }
  return version.service;
}

/**
 * Every Kubernetes message of the scheme carries upstream's list/map/struct semantics
 * (patch strategy and merge key, +listType, +listMapKey, +mapType, +structType) exactly as
 * the Go types in k8s.io/api and k8s.io/apimachinery declare them. The fixture is
 * extracted from those Go sources by scripts/extract-upstream-field-semantics.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { messageSchemas } from '../../gen/schema/schema.js';
import { getMessagePlan } from '../../src/machinery/schema/index.js';

interface UpstreamField {
  patchStrategy?: string;
  patchMergeKey?: string;
  listType?: string;
  listMapKeys?: string[];
  mapType?: string;
}
interface UpstreamType {
  structType?: string;
  fields: Record<string, UpstreamField>;
}
interface Fixture {
  sources: Array<{ importPath: string; commit: string }>;
  types: Record<string, UpstreamType>;
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/upstream-field-semantics.json', import.meta.url), 'utf8')) as Fixture;

/**
 * Our batch/v1 messages for a Job's scheduling settings keep the short names they had when
 * written; upstream declares them in k8s.io/api/scheduling/v1alpha3 with a Workload prefix.
 */
const SCHEDULING = 'k8s.io/api/scheduling/v1alpha3';
const GO_TYPE_OF: Record<string, string> = {
  'k8s.io.api.batch.v1.PodGroupSchedulingPolicy': `${SCHEDULING}.WorkloadPodGroupSchedulingPolicy`,
  'k8s.io.api.batch.v1.BasicSchedulingPolicy': `${SCHEDULING}.WorkloadPodGroupBasicSchedulingPolicy`,
  'k8s.io.api.batch.v1.GangSchedulingPolicy': `${SCHEDULING}.WorkloadPodGroupGangSchedulingPolicy`,
  'k8s.io.api.batch.v1.PodGroupSchedulingConstraints': `${SCHEDULING}.WorkloadPodGroupSchedulingConstraints`,
  'k8s.io.api.batch.v1.TopologyConstraint': `${SCHEDULING}.TopologyConstraint`,
  'k8s.io.api.batch.v1.PodGroupDisruptionMode': `${SCHEDULING}.WorkloadPodGroupDisruptionMode`,
  'k8s.io.api.batch.v1.SingleDisruptionMode': `${SCHEDULING}.WorkloadPodGroupSingleDisruptionMode`,
  'k8s.io.api.batch.v1.AllDisruptionMode': `${SCHEDULING}.WorkloadPodGroupAllDisruptionMode`,
  'k8s.io.api.batch.v1.PodGroupResourceClaim': `${SCHEDULING}.WorkloadPodGroupResourceClaim`,
  // Upstream declares it as a named type of v1's (`type MatchCondition v1.MatchCondition`).
  'k8s.io.api.admissionregistration.v1alpha1.MatchCondition': 'k8s.io/api/admissionregistration/v1.MatchCondition',
};

/** Protobuf-only wrappers with no Kubernetes JSON form of their own (the storage envelope, Quantity's proto box). */
const PROTOBUF_ONLY = new Set(['k8s.io.apimachinery.pkg.runtime.Unknown', 'k8s.io.apimachinery.pkg.api.resource.QuantityValue']);

/** `k8s.io.api.core.v1.PodSpec` → `k8s.io/api/core/v1.PodSpec`. */
function goTypeKey(fullName: string): string {
  const alias = GO_TYPE_OF[fullName];
  if (alias) return alias;
  const dot = fullName.lastIndexOf('.');
  const pkg = fullName.slice(0, dot);
  return `k8s.io/${pkg.slice('k8s.io.'.length).split('.').join('/')}.${fullName.slice(dot + 1)}`;
}

const kubeMessages = Object.values(messageSchemas).filter((m) => m.package.startsWith('k8s.io.'));
/** Messages with their own JSON form (Time, Quantity, IntOrString, RawExtension, ...) have no fields to mark. */
const structured = kubeMessages.filter((m) => getMessagePlan(m.fullName).special === undefined && !PROTOBUF_ONLY.has(m.fullName));

describe('field semantics from upstream Go types', () => {
  it('the fixture names the upstream commit of every package it read', () => {
    assert.ok(fixture.sources.length >= 8);
    for (const s of fixture.sources) assert.match(s.commit, /^[0-9a-f]{40}$/, s.importPath);
  });

  it('every structured Kubernetes message is an upstream Go type', () => {
    const missing = structured.map((m) => m.fullName).filter((n) => !fixture.types[goTypeKey(n)]);
    assert.deepEqual(missing, []);
  });

  it('every field of every message agrees with upstream (patch strategy, merge key, list type, list map keys, map type)', () => {
    const problems: string[] = [];
    for (const m of structured) {
      const upstream = fixture.types[goTypeKey(m.fullName)];
      if (!upstream) continue;
      for (const f of m.fields) {
        if (f.inline) continue;
        const want = upstream.fields[f.json];
        if (!want) {
          problems.push(`${m.fullName}.${f.json}: no such JSON field on ${goTypeKey(m.fullName)}`);
          continue;
        }
        const have: UpstreamField = {};
        if (f.patchStrategy) have.patchStrategy = f.patchStrategy;
        if (f.patchMergeKey) have.patchMergeKey = f.patchMergeKey;
        if (f.listType) have.listType = f.listType;
        if (f.listMapKeys?.length) have.listMapKeys = [...f.listMapKeys];
        if (f.mapType) have.mapType = f.mapType;
        for (const key of ['patchStrategy', 'patchMergeKey', 'listType', 'listMapKeys', 'mapType'] as const) {
          const a = JSON.stringify(have[key]);
          const b = JSON.stringify(want[key]);
          if (a !== b) problems.push(`${m.fullName}.${f.json}: ${key} is ${a ?? 'unset'}, upstream ${b ?? 'unset'}`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });

  it('every message carries upstream struct type', () => {
    const problems: string[] = [];
    for (const m of structured) {
      const upstream = fixture.types[goTypeKey(m.fullName)];
      if (!upstream) continue;
      if (m.structType !== upstream.structType) {
        problems.push(`${m.fullName}: structType is ${m.structType ?? 'unset'}, upstream ${upstream.structType ?? 'unset'}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('the compiled message plans expose the semantics to the field manager', () => {
    const podSpec = getMessagePlan('k8s.io.api.core.v1.PodSpec');
    const containers = podSpec.fields.find((f) => f.json === 'containers')!;
    assert.equal(containers.schema.listType, 'map');
    assert.deepEqual(containers.schema.listMapKeys, ['name']);
    assert.equal(podSpec.fields.find((f) => f.json === 'nodeSelector')!.schema.mapType, 'atomic');
    assert.equal(getMessagePlan('k8s.io.api.core.v1.LocalObjectReference').schema.structType, 'atomic');
    assert.equal(getMessagePlan('k8s.io.apimachinery.pkg.apis.meta.v1.OwnerReference').schema.structType, 'atomic');
  });
});

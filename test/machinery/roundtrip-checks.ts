/**
 * The fixture oracle's three checks, shared by every round-trip test: a fixture
 * (Kubernetes JSON and, where upstream has one, its `k8s\0` protobuf envelope)
 * must survive protobuf -> JSON, JSON -> JSON and JSON -> protobuf -> JSON
 * through our schema unchanged.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import {
  decodeProtobufObject,
  encodeProtobufObject,
  hasMessage,
  kubeJsonToMessage,
  messageToKubeJson,
  normalizeKubeJson,
  parseK8sEnvelope,
} from '../../src/machinery/schema/index.js';
import { fixturePath, SHARED_FIXTURES } from './fixture-files.js';
import { describeDifference, firstJsonDifference } from './json-diff.js';

/** Upstream's round-trip fixtures (GROUP.VERSION.KIND.json / .pb): the shared ones; see fixture-files.ts for the 1.33 ones. */
export const FIXTURES = SHARED_FIXTURES;

/** Fails with the first difference between two JSON values. */
export function assertSameJson(actual: unknown, expected: unknown, what: string): void {
  const d = firstJsonDifference(expected, actual);
  if (d) assert.fail(`${what}: ${describeDifference(d)}`);
}

/** A fixture's JSON object, read from the fixtures directory. */
export function loadFixtureJson(fixture: string): Record<string, unknown> {
  return JSON.parse(readFileSync(fixturePath(`${fixture}.json`), 'utf8')) as Record<string, unknown>;
}

/** A fixture's protobuf envelope bytes. */
export function loadFixturePb(fixture: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(`${fixture}.pb`)));
}

/** The object without apiVersion/kind: what the message itself carries. */
export function bodyOf(json: Record<string, unknown>): Record<string, unknown> {
  const { apiVersion: _apiVersion, kind: _kind, ...body } = json;
  return body;
}

function requireMessage(typeName: string): void {
  assert.ok(hasMessage(typeName), `message ${typeName} is missing from the schema (gen/schema)`);
}

/** Registers the JSON-only checks (normalize, JSON -> pb -> JSON) for an object of `typeName`. */
export function itRoundTripsJson(typeName: string, load: () => Record<string, unknown>): void {
  it('normalizeKubeJson keeps the JSON fixture unchanged with no unknown fields', () => {
    requireMessage(typeName);
    const body = bodyOf(load());
    const { object, unknownFields } = normalizeKubeJson(typeName, body);
    assert.deepEqual(unknownFields, []);
    assertSameJson(object, body, 'json -> json');
  });

  it('JSON -> protobuf -> JSON is lossless', () => {
    requireMessage(typeName);
    const body = bodyOf(load());
    const { message } = kubeJsonToMessage(typeName, body);
    const bytes = encodeProtobufObject(typeName, message);
    const again = decodeProtobufObject(typeName, bytes);
    assertSameJson(messageToKubeJson(typeName, again), body, 'json -> pb -> json');
  });
}

/** Registers all three checks for an upstream fixture (JSON + .pb) decoded as `typeName`. */
export function itRoundTripsFixture(fixture: string, typeName: string): void {
  it('protobuf fixture -> Kubernetes JSON equals the JSON fixture', () => {
    requireMessage(typeName);
    const json = loadFixtureJson(fixture);
    const envelope = parseK8sEnvelope(loadFixturePb(fixture));
    assert.equal(envelope.apiVersion, (json.apiVersion as string | undefined) ?? '');
    assert.equal(envelope.kind, (json.kind as string | undefined) ?? '');
    const message = decodeProtobufObject(typeName, envelope.raw);
    assertSameJson(messageToKubeJson(typeName, message), bodyOf(json), 'pb -> json');
  });
  itRoundTripsJson(typeName, () => loadFixtureJson(fixture));
}

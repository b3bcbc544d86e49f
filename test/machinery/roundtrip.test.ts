/**
 * Oracle: upstream round-trip fixtures (../shared/fixtures/kube-roundtrip) must
 * survive protobuf -> JSON, JSON -> JSON and JSON -> protobuf -> JSON through our
 * schema unchanged. A kind whose message is missing from the schema fails.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  decodeProtobufObject,
  encodeProtobufObject,
  hasMessage,
  kubeJsonToMessage,
  messageToKubeJson,
  normalizeKubeJson,
  parseK8sEnvelope,
} from '../../src/machinery/schema/index.js';
import { describeDifference, firstJsonDifference } from './json-diff.js';
import { SERVED_FIXTURES } from './roundtrip-kinds.js';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures', 'kube-roundtrip');

function assertSameJson(actual: unknown, expected: unknown, what: string): void {
  const d = firstJsonDifference(expected, actual);
  if (d) assert.fail(`${what}: ${describeDifference(d)}`);
}

function loadFixture(fixture: string): { json: Record<string, unknown>; body: Record<string, unknown>; pb: Uint8Array } {
  const json = JSON.parse(readFileSync(join(FIXTURES, `${fixture}.json`), 'utf8')) as Record<string, unknown>;
  const { apiVersion: _apiVersion, kind: _kind, ...body } = json;
  return { json, body, pb: new Uint8Array(readFileSync(join(FIXTURES, `${fixture}.pb`))) };
}

for (const { fixture, typeName } of SERVED_FIXTURES) {
  describe(`round trip ${fixture} (${typeName})`, () => {
    const requireMessage = (): void => {
      assert.ok(hasMessage(typeName), `message ${typeName} is missing from the schema (gen/schema)`);
    };

    it('protobuf fixture -> Kubernetes JSON equals the JSON fixture', () => {
      requireMessage();
      const { json, body, pb } = loadFixture(fixture);
      const envelope = parseK8sEnvelope(pb);
      assert.equal(envelope.apiVersion, (json.apiVersion as string | undefined) ?? '');
      assert.equal(envelope.kind, (json.kind as string | undefined) ?? '');
      const message = decodeProtobufObject(typeName, envelope.raw);
      assertSameJson(messageToKubeJson(typeName, message), body, 'pb -> json');
    });

    it('normalizeKubeJson keeps the JSON fixture unchanged with no unknown fields', () => {
      requireMessage();
      const { body } = loadFixture(fixture);
      const { object, unknownFields } = normalizeKubeJson(typeName, body);
      assert.deepEqual(unknownFields, []);
      assertSameJson(object, body, 'json -> json');
    });

    it('JSON -> protobuf -> JSON is lossless', () => {
      requireMessage();
      const { body } = loadFixture(fixture);
      const { message } = kubeJsonToMessage(typeName, body);
      const bytes = encodeProtobufObject(typeName, message);
      const again = decodeProtobufObject(typeName, bytes);
      assertSameJson(messageToKubeJson(typeName, again), body, 'json -> pb -> json');
    });
  });
}

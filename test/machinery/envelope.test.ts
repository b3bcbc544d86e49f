/**
 * The "k8s\0" + runtime.Unknown protobuf envelope.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeProtobufObject,
  encodeProtobufObject,
  hasK8sMagic,
  kubeJsonToMessage,
  messageToKubeJson,
  parseK8sEnvelope,
  SchemaDecodeError,
  writeK8sEnvelope,
} from '../../src/machinery/schema/index.js';

const CONFIGMAP = 'k8s.io.api.core.v1.ConfigMap';

describe('k8s protobuf envelope', () => {
  it('writes the magic and reads back type meta and raw bytes', () => {
    const { message } = kubeJsonToMessage(CONFIGMAP, { metadata: { name: 'cm' }, data: { a: 'b' } });
    const raw = encodeProtobufObject(CONFIGMAP, message);
    const bytes = writeK8sEnvelope({ apiVersion: 'v1', kind: 'ConfigMap', raw });
    assert.deepEqual([...bytes.subarray(0, 4)], [0x6b, 0x38, 0x73, 0x00]);
    assert.equal(hasK8sMagic(bytes), true);
    const env = parseK8sEnvelope(bytes);
    assert.equal(env.apiVersion, 'v1');
    assert.equal(env.kind, 'ConfigMap');
    assert.equal(env.contentEncoding, '');
    assert.equal(env.contentType, '');
    assert.deepEqual(messageToKubeJson(CONFIGMAP, decodeProtobufObject(CONFIGMAP, env.raw)), {
      metadata: { name: 'cm' },
      data: { a: 'b' },
    });
  });

  it('lays the Unknown out as upstream does (typeMeta, raw, empty encoding and type)', () => {
    const bytes = writeK8sEnvelope({ apiVersion: 'v1', kind: 'X', raw: Uint8Array.of(1, 2) });
    // 0a 07 {0a 02 "v1" 12 01 "X"} 12 02 01 02 1a 00 22 00
    assert.deepEqual(
      [...bytes.subarray(4)],
      [0x0a, 0x07, 0x0a, 0x02, 0x76, 0x31, 0x12, 0x01, 0x58, 0x12, 0x02, 0x01, 0x02, 0x1a, 0x00, 0x22, 0x00],
    );
  });

  it('rejects bodies without the magic', () => {
    assert.equal(hasK8sMagic(Uint8Array.of(0x7b)), false);
    assert.throws(() => parseK8sEnvelope(Uint8Array.of(0x7b, 0x7d, 0, 0, 0)), SchemaDecodeError);
  });
});

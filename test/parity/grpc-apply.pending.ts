/**
 * HTTP/gRPC parity for server-side apply: `Patch` with patchType
 * `application/apply-patch+yaml`, `options.fieldManager` and `options.force` runs the same
 * apply as HTTP PATCH — create when absent, the same managedFields, the same 409 Conflict
 * Status (message and FieldManagerConflict causes, in grpc-status-details-bin), and force
 * moving ownership. A YAML apply body travels as the raw `patch` bytes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { credentials } from '@grpc/grpc-js';
import { ConfigMapServiceClient } from '../../gen/wheelhouse/core/v1/services.js';
import { PatchRequest } from '../../gen/wheelhouse/meta/v1/requests.js';
import { REASON_CODES } from '../../src/machinery/errors/index.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';
import { assertManagedFields, entry } from '../helpers/managed-fields.js';
import { grpcFailure, toJson, unary } from './grpc-helpers.js';

const APPLY = 'application/apply-patch+yaml';
const TYPE = 'k8s.io.api.core.v1.ConfigMap';

let ts: TestServer;
let client: ConfigMapServiceClient;

before(async () => {
  ts = await startTestServer();
  client = new ConfigMapServiceClient(ts.server.grpcAddress, credentials.createInsecure());
  for (const ns of ['apply-http', 'apply-grpc']) {
    const r = await api(ts.server, 'POST', '/api/v1/namespaces', { metadata: { name: ns } });
    assert.equal(r.status, 201);
  }
});
after(async () => {
  client?.close();
  await ts?.stop();
});

const yaml = (data: Record<string, string>): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n${Object.entries(data).map(([k, v]) => `  ${k}: "${v}"`).join('\n')}\n`;

type Step = { manager: string; data: Record<string, string>; force?: boolean };
const STEPS: Step[] = [
  { manager: 'first', data: { a: '1', b: '1' } },
  { manager: 'second', data: { a: '2' } },
  { manager: 'second', data: { a: '2' }, force: true },
];

/** An outcome with the parts each server run sets on its own made comparable. */
function comparable(outcome: unknown): unknown {
  return JSON.parse(
    JSON.stringify(outcome, (k, v) => (['uid', 'creationTimestamp', 'resourceVersion', 'time'].includes(k) ? '<set>' : k === 'namespace' ? '<ns>' : v)),
  );
}

/** What both transports must agree on in a Status. */
function statusParts(s: any): unknown {
  return { code: s.code, reason: s.reason, message: s.message, details: s.details };
}

async function overHttp(step: Step): Promise<unknown> {
  const q = `fieldManager=${step.manager}${step.force ? '&force=true' : ''}`;
  const r = await api(ts.server, 'PATCH', `/api/v1/namespaces/apply-http/configmaps/applied?${q}`, yaml(step.data), { 'content-type': APPLY });
  if (r.status >= 400) return { error: statusParts(r.body) };
  const { apiVersion: _a, kind: _k, ...object } = r.body;
  return { object };
}

async function overGrpc(step: Step): Promise<unknown> {
  const request = PatchRequest.fromPartial({
    namespace: 'apply-grpc',
    name: 'applied',
    patchType: APPLY,
    patch: Buffer.from(yaml(step.data)),
    options: { fieldManager: step.manager, ...(step.force ? { force: true } : {}) },
  });
  try {
    const reply = await unary<object>((cb) => client.patch(request, cb));
    return { object: toJson(TYPE, reply) };
  } catch {
    const failure = await grpcFailure(() => unary((cb) => client.patch(request, cb)));
    assert.equal(failure.grpcCode, REASON_CODES.Conflict.grpc);
    assert.equal(failure.details, failure.status.message);
    return { error: statusParts(failure.status) };
  }
}

describe('HTTP and gRPC parity: server-side apply', () => {
  it('create, conflict and force give the same objects, managedFields and Status', async () => {
    const http: unknown[] = [];
    const grpc: unknown[] = [];
    for (const step of STEPS) {
      http.push(await overHttp(step));
      grpc.push(await overGrpc(step));
    }
    assert.deepEqual(comparable(grpc), comparable(http));
    const [created, conflict, forced] = http as [{ object: any }, { error: any }, { object: any }];
    assert.deepEqual(created.object.data, { a: '1', b: '1' });
    assertManagedFields(created.object, [entry('first', 'Apply', 'v1', { 'f:data': { 'f:a': {}, 'f:b': {} } })]);
    assert.equal(conflict.error.code, 409);
    assert.equal(conflict.error.reason, 'Conflict');
    assert.equal(conflict.error.message, 'Apply failed with 1 conflict: conflict with "first": .data.a');
    assert.deepEqual(conflict.error.details, { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "first"', field: '.data.a' }] });
    assert.deepEqual(forced.object.data, { a: '2', b: '1' });
    assertManagedFields(forced.object, [
      entry('first', 'Apply', 'v1', { 'f:data': { 'f:b': {} } }),
      entry('second', 'Apply', 'v1', { 'f:data': { 'f:a': {} } }),
    ]);
  });
});

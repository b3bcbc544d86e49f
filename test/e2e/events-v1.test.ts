/**
 * events.k8s.io/v1 Event: the same stored objects as core/v1 Event, converted as upstream
 * (reportingController ↔ reportingComponent, regarding ↔ involvedObject, note ↔ message,
 * deprecatedSource/FirstTimestamp/LastTimestamp/Count ↔ source/firstTimestamp/lastTimestamp/
 * count), validated by the version a write came in (strict for events.k8s.io/v1, legacy for
 * core/v1), over HTTP (JSON and protobuf), watch, and kubectl 1.33.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeProtobufObject, messageToKubeJson, parseK8sEnvelope } from '../../src/machinery/schema/index.js';
import { runKubectl } from '../helpers/kubectl.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

const V1 = '/apis/events.k8s.io/v1/namespaces/default/events';
const CORE = '/api/v1/namespaces/default/events';

const newStyle = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'events.k8s.io/v1',
  kind: 'Event',
  metadata: { name },
  eventTime: '2026-01-02T03:04:05.123456Z',
  reportingController: 'example.com/scaler',
  reportingInstance: 'scaler-7d9f',
  action: 'Scale',
  reason: 'ScaledUp',
  regarding: { kind: 'Deployment', namespace: 'default', name: 'web', apiVersion: 'apps/v1' },
  related: { kind: 'ReplicaSet', namespace: 'default', name: 'web-1' },
  note: 'scaled web to 3',
  type: 'Normal',
  ...extra,
});

describe('events.k8s.io/v1 Event', () => {
  let ts: TestServer;
  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => api(ts.server, method, path, body, headers);
  const k = (args: string[], stdin?: string) => runKubectl(33, ts.server.kubeconfigPath, args, stdin);
  const strip = (o: Record<string, unknown>) => {
    const { metadata: _m, ...rest } = o;
    return rest;
  };

  before(async () => {
    ts = await startTestServer();
  });
  after(async () => {
    await ts.stop();
  });

  it('stores a new-style event once and shows it in both groups, converted', async () => {
    const created = await call('POST', V1, newStyle('scaled'));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(strip(created.body), {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      eventTime: '2026-01-02T03:04:05.123456Z',
      reportingController: 'example.com/scaler',
      reportingInstance: 'scaler-7d9f',
      action: 'Scale',
      reason: 'ScaledUp',
      regarding: { kind: 'Deployment', namespace: 'default', name: 'web', apiVersion: 'apps/v1' },
      related: { kind: 'ReplicaSet', namespace: 'default', name: 'web-1' },
      note: 'scaled web to 3',
      type: 'Normal',
      deprecatedSource: {},
    });
    const core = await call('GET', `${CORE}/scaled`);
    assert.equal(core.status, 200);
    assert.equal(core.body.metadata.uid, created.body.metadata.uid);
    assert.equal(core.body.metadata.resourceVersion, created.body.metadata.resourceVersion);
    assert.deepEqual(strip(core.body), {
      apiVersion: 'v1',
      kind: 'Event',
      eventTime: '2026-01-02T03:04:05.123456Z',
      reportingComponent: 'example.com/scaler',
      reportingInstance: 'scaler-7d9f',
      action: 'Scale',
      reason: 'ScaledUp',
      involvedObject: { kind: 'Deployment', namespace: 'default', name: 'web', apiVersion: 'apps/v1' },
      related: { kind: 'ReplicaSet', namespace: 'default', name: 'web-1' },
      message: 'scaled web to 3',
      type: 'Normal',
      source: {},
    });
  });

  it('shows an old-style core event with the deprecated fields', async () => {
    const r = await call('POST', CORE, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'pulled' },
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-0' },
      reason: 'Pulled',
      message: 'image pulled',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: '2026-01-01T00:00:00Z',
      lastTimestamp: '2026-01-01T00:05:00Z',
      count: 4,
      type: 'Normal',
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const v1 = (await call('GET', `${V1}/pulled`)).body;
    assert.deepEqual(v1.regarding, { kind: 'Pod', namespace: 'default', name: 'web-0' });
    assert.equal(v1.note, 'image pulled');
    assert.deepEqual(v1.deprecatedSource, { component: 'kubelet', host: 'node-1' });
    assert.equal(v1.deprecatedFirstTimestamp, '2026-01-01T00:00:00Z');
    assert.equal(v1.deprecatedLastTimestamp, '2026-01-01T00:05:00Z');
    assert.equal(v1.deprecatedCount, 4);
    assert.equal(v1.reportingController, undefined);
    for (const gone of ['involvedObject', 'message', 'source', 'firstTimestamp', 'lastTimestamp', 'count', 'reportingComponent']) assert.ok(!(gone in v1), gone);
    const list = (await call('GET', V1)).body;
    assert.equal(list.kind, 'EventList');
    assert.equal(list.apiVersion, 'events.k8s.io/v1');
    assert.deepEqual(list.items.map((e: { metadata: { name: string } }) => e.metadata.name).sort(), ['pulled', 'scaled']);
  });

  it('holds events.k8s.io/v1 writes to the strict rules, core/v1 ones to the legacy rules', async () => {
    const missing = await call('POST', V1, { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'bad' }, regarding: { kind: 'Pod', namespace: 'default', name: 'x' }, type: 'Sometimes', deprecatedCount: 2 });
    assert.equal(missing.status, 422);
    assert.equal(
      missing.body.message,
      'Event "bad" is invalid: [eventTime: Required value, type: Invalid value: "": has invalid value: Sometimes, count: Invalid value: "": needs to be unset]',
    );
    const reporting = await call('POST', V1, newStyle('bad2', { reportingController: '', reportingInstance: '', action: '', reason: '', note: 'x'.repeat(1025) }));
    assert.equal(reporting.status, 422);
    assert.deepEqual(
      reporting.body.details.causes.map((c: { field: string; message: string }) => `${c.field}: ${c.message}`),
      [
        'reportingController: Required value',
        "reportingController: Invalid value: \"\": name part must be non-empty",
        'reportingInstance: Required value',
        'action: Required value',
        'reason: Required value',
        'message: Invalid value: "": can have at most 1024 characters',
      ],
    );
    const series = await call('POST', V1, newStyle('bad3', { series: { count: 1 } }));
    assert.equal(series.body.message, 'Event "bad3" is invalid: [series.count: Invalid value: "": should be at least 2, series.lastObservedTime: Required value]');
    // The same deprecated fields through core/v1: accepted (legacy validation only).
    const legacy = await call('POST', CORE, { apiVersion: 'v1', kind: 'Event', metadata: { name: 'legacy' }, involvedObject: { kind: 'Pod', namespace: 'default', name: 'x' }, type: 'Sometimes', count: 2 });
    assert.equal(legacy.status, 201, JSON.stringify(legacy.body));
    // …but a new-style core event still needs its reporting fields.
    const coreNew = await call('POST', CORE, { apiVersion: 'v1', kind: 'Event', metadata: { name: 'corenew' }, involvedObject: { kind: 'Pod', namespace: 'default', name: 'x' }, eventTime: '2026-01-02T03:04:05.000000Z', reportingComponent: 'kubelet', reportingInstance: 'n1', reason: 'R' });
    assert.equal(coreNew.status, 422);
    assert.equal(coreNew.body.message, 'Event "corenew" is invalid: action: Required value');
  });

  it('keeps an events.k8s.io/v1 event immutable but for its series and metadata', async () => {
    const changed = await call('PATCH', `${V1}/scaled`, { note: 'rewritten', series: { count: 2, lastObservedTime: '2026-01-02T03:05:00.000000Z' } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(changed.status, 422);
    assert.equal(changed.body.message, 'Event "scaled" is invalid: message: Invalid value: "rewritten": field is immutable');
    const series = await call('PATCH', `${V1}/scaled`, { metadata: { labels: { seen: 'twice' } }, series: { count: 2, lastObservedTime: '2026-01-02T03:05:00.000000Z' } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(series.status, 200, JSON.stringify(series.body));
    assert.deepEqual(series.body.series, { count: 2, lastObservedTime: '2026-01-02T03:05:00.000000Z' });
    assert.deepEqual((await call('GET', `${CORE}/scaled`)).body.series, { count: 2, lastObservedTime: '2026-01-02T03:05:00.000000Z' });
    // Through core/v1 the legacy rules apply: the message may change.
    const core = await call('PATCH', `${CORE}/scaled`, { message: 'rewritten' }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(core.status, 200, JSON.stringify(core.body));
    assert.equal((await call('GET', `${V1}/scaled`)).body.note, 'rewritten');
  });

  it('answers protobuf as events.k8s.io/v1 messages and watches in its shape', async () => {
    const res = await fetch(`${ts.server.url}${V1}/pulled`, { headers: { accept: 'application/vnd.kubernetes.protobuf' } });
    assert.equal(res.status, 200);
    const envelope = parseK8sEnvelope(new Uint8Array(await res.arrayBuffer()));
    assert.equal(envelope.apiVersion, 'events.k8s.io/v1');
    assert.equal(envelope.kind, 'Event');
    const obj = messageToKubeJson('k8s.io.api.events.v1.Event', decodeProtobufObject('k8s.io.api.events.v1.Event', envelope.raw)) as Record<string, unknown>;
    assert.equal(obj.note, 'image pulled');
    assert.equal(obj.deprecatedCount, 4);

    const abort = new AbortController();
    const watch = await fetch(`${ts.server.url}${V1}?watch=true&fieldSelector=metadata.name=pulled`, { signal: abort.signal });
    const reader = watch.body!.getReader();
    const { value } = await reader.read();
    abort.abort();
    const event = JSON.parse(Buffer.from(value!).toString('utf8').split('\n')[0] as string);
    assert.equal(event.type, 'ADDED');
    assert.equal(event.object.apiVersion, 'events.k8s.io/v1');
    assert.equal(event.object.note, 'image pulled');
  });

  it('works through kubectl: api-resources, get with the event columns, create from a file', async () => {
    const resources = await k(['api-resources', '--api-group=events.k8s.io', '--no-headers']);
    assert.equal(resources.code, 0, resources.stderr);
    assert.deepEqual(resources.stdout.trim().split(/\s+/), ['events', 'ev', 'events.k8s.io/v1', 'true', 'Event']);
    const created = await k(['create', '-f', '-'], JSON.stringify(newStyle('from-kubectl')));
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout, 'event.events.k8s.io/from-kubectl created\n');
    const got = await k(['get', 'events.events.k8s.io', 'from-kubectl', '-o', 'jsonpath={.note}']);
    assert.equal(got.stdout, 'scaled web to 3');
    const table = await k(['get', 'events.v1.events.k8s.io', 'from-kubectl', '--no-headers']);
    assert.equal(table.code, 0, table.stderr);
    // Upstream's event columns: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE (the name only with -o wide).
    const cells = table.stdout.trim().split(/\s{2,}/);
    for (const cell of ['Normal', 'ScaledUp', 'deployment/web', 'scaled web to 3']) assert.ok(cells.includes(cell), `${cell} in ${table.stdout}`);
    const bad = await k(['create', '-f', '-'], JSON.stringify({ apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'nope' }, regarding: { kind: 'Pod', namespace: 'default', name: 'x' }, type: 'Normal' }));
    assert.notEqual(bad.code, 0);
    assert.equal(bad.stderr.trim(), 'The Event "nope" is invalid: eventTime: Required value');
  });
});

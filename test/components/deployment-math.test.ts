/** The pure parts of the deployment and replica controllers: hashing, fenceposts, annotations, pod ranking. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Deployment, ReplicaSet } from '../../gen/k8s/io/api/apps/v1/generated.js';
import type { Pod } from '../../gen/k8s/io/api/core/v1/pod.js';
import { toTime } from '../../src/client/index.js';
import { setNewReplicaSetAnnotations } from '../../src/components/controller-manager/deployment/annotations.js';
import { maxSurge, maxUnavailable, resolveFenceposts } from '../../src/components/controller-manager/deployment/fenceposts.js';
import { computeHash, fnv32a, safeEncodeString } from '../../src/components/controller-manager/deployment/hash.js';
import { podsToDelete } from '../../src/components/controller-manager/replicaset/pod-ranking.js';

const pct = (s: string) => ({ type: 1, strVal: s });
const int = (n: number) => ({ type: 0, intVal: n });
const rolling = (replicas: number, surge: ReturnType<typeof pct | typeof int>, unavailable: ReturnType<typeof pct | typeof int>): Deployment => ({
  metadata: { name: 'd' } as never,
  spec: { replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } } },
});

describe('pod-template-hash', () => {
  it('is FNV-1a 32 safe-encoded', () => {
    assert.equal(fnv32a(new Uint8Array()), 0x811c9dc5);
    assert.equal(fnv32a(new TextEncoder().encode('a')), 0xe40c292c);
    assert.equal(safeEncodeString('0123456789'), '456789bcdf');
    const t = { metadata: { labels: { app: 'web' } } as never, spec: { containers: [{ name: 'c', image: 'nginx' }] } as never };
    assert.equal(computeHash(t), computeHash(structuredClone(t)));
    assert.notEqual(computeHash(t), computeHash(t, 1));
    assert.match(computeHash(t), /^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
  });
});

describe('fenceposts', () => {
  it('rounds surge up and unavailability down, as upstream', () => {
    assert.deepEqual([maxSurge(rolling(3, pct('25%'), pct('25%'))), maxUnavailable(rolling(3, pct('25%'), pct('25%')))], [1, 0]);
    assert.deepEqual([maxSurge(rolling(10, pct('25%'), pct('25%'))), maxUnavailable(rolling(10, pct('25%'), pct('25%')))], [3, 2]);
    assert.deepEqual(resolveFenceposts(pct('0%'), pct('10%'), 5), [0, 1]);
    assert.equal(maxUnavailable(rolling(2, int(0), int(5))), 2);
    assert.equal(maxUnavailable(rolling(0, int(1), int(1))), 0);
    assert.equal(maxSurge({ spec: { replicas: 3, strategy: { type: 'Recreate' } } }), 0);
  });
});

describe('revision annotations', () => {
  it('moves a reused ReplicaSet to the new revision and keeps the old one in revision-history', () => {
    const d = rolling(3, pct('25%'), pct('25%'));
    d.metadata = { name: 'd', annotations: { team: 'a', 'deployment.kubernetes.io/revision': '9', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } } as never;
    const rs: ReplicaSet = { metadata: { annotations: { 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/revision-history': '0' } } as never };
    assert.equal(setNewReplicaSetAnnotations(d, rs, 3, true), true);
    assert.deepEqual(rs.metadata?.annotations, { team: 'a', 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '0,1' });
    assert.equal(setNewReplicaSetAnnotations(d, rs, 3, true), false);
    const fresh: ReplicaSet = { metadata: { annotations: {} } as never };
    setNewReplicaSetAnnotations(d, fresh, 1, false);
    assert.deepEqual(fresh.metadata?.annotations, { team: 'a', 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' });
  });
});

describe('pod deletion ranking', () => {
  const now = Date.now();
  const pod = (name: string, o: { node?: string; phase?: string; ready?: boolean; readyAgoMs?: number; createdAgoMs?: number; cost?: string }): Pod => ({
    metadata: { name, uid: name, creationTimestamp: toTime(new Date(now - (o.createdAgoMs ?? 0))), annotations: o.cost ? { 'controller.kubernetes.io/pod-deletion-cost': o.cost } : {} } as never,
    spec: { nodeName: o.node ?? '' } as never,
    status: { phase: o.phase ?? 'Running', conditions: o.ready ? [{ type: 'Ready', status: 'True', lastTransitionTime: toTime(new Date(now - (o.readyAgoMs ?? 0))) }] : [] } as never,
  });
  const names = (ps: Pod[]) => ps.map((p) => p.metadata?.name);

  it('deletes unscheduled, then pending, then not-Ready, then cheaper, then doubled-up, then recently Ready pods first', () => {
    const pods = [
      pod('old-ready', { node: 'n1', ready: true, readyAgoMs: 3_600_000, createdAgoMs: 3_600_000 }),
      pod('unscheduled', { phase: 'Pending' }),
      pod('pending', { node: 'n2', phase: 'Pending' }),
      pod('not-ready', { node: 'n2' }),
      pod('young-ready', { node: 'n3', ready: true, readyAgoMs: 1000, createdAgoMs: 2000 }),
      pod('cheap', { node: 'n4', ready: true, readyAgoMs: 3_600_000, cost: '-10' }),
    ];
    assert.deepEqual(names(podsToDelete(pods, pods, 5, now)), ['unscheduled', 'pending', 'not-ready', 'cheap', 'young-ready']);
    assert.deepEqual(names(podsToDelete(pods, pods, 2, now)), ['unscheduled', 'pending']);
    const a = pod('alone', { node: 'x', ready: true, readyAgoMs: 1000 });
    const b = pod('doubled', { node: 'y', ready: true, readyAgoMs: 1000 });
    const sibling = pod('sibling', { node: 'y', ready: true });
    assert.deepEqual(names(podsToDelete([a, b], [a, b, sibling], 1, now)), ['doubled']);
  });
});

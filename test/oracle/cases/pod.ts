/**
 * Pod: atomic tolerations and nodeSelector, finalizers as a set, volumes and containers
 * keyed by name, atomic command/args, ownerReferences keyed by uid.
 */
import { apply, from, object, seq, update, type OracleSuite } from './steps.js';

type Obj = Record<string, unknown>;

function pod(spec: Obj | undefined, metadata: Obj = {}): Obj {
  return object('v1', 'Pod', 'job-1', spec !== undefined ? { spec } : {}, metadata);
}

const app = { name: 'app', image: 'busybox:1.36' };
const tolerate = (key: string) => ({ key, operator: 'Exists', effect: 'NoSchedule' });
const owner = (uid: string, name: string) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid, controller: true });

export const podSuite: OracleSuite = {
  name: 'Pod',
  schema: { message: 'k8s.io.api.core.v1.Pod' },
  cases: [
    seq('pod: one applier creates', apply('a', pod({ containers: [app], nodeSelector: { disk: 'ssd' }, tolerations: [tolerate('gpu')] }))),
    seq('pod: tolerations are atomic', apply('a', pod({ containers: [app], tolerations: [tolerate('gpu')] })), apply('b', pod({ tolerations: [tolerate('spot')] })), apply('b', pod({ tolerations: [tolerate('spot')] }), true)),
    seq('pod: the same tolerations from two appliers are shared', apply('a', pod({ tolerations: [tolerate('gpu')] })), apply('b', pod({ tolerations: [tolerate('gpu')] })), apply('a', pod({ containers: [app] }))),
    seq('pod: nodeSelector is atomic', apply('a', pod({ nodeSelector: { disk: 'ssd' } })), apply('b', pod({ nodeSelector: { zone: 'a' } })), apply('b', pod({ nodeSelector: { zone: 'a' } }), true), apply('a', pod({ containers: [app] }))),
    seq(
      'pod: finalizers are a set of values',
      apply('a', pod(undefined, { finalizers: ['example.com/a', 'example.com/shared'] })),
      apply('b', pod(undefined, { finalizers: ['example.com/b', 'example.com/shared'] })),
      apply('a', pod(undefined, { finalizers: [] })),
    ),
    seq(
      'pod: set elements added and removed by different appliers',
      apply('a', pod(undefined, { finalizers: ['x', 'y'] })),
      apply('b', pod(undefined, { finalizers: ['z'] })),
      apply('a', pod(undefined, { finalizers: ['y'] })),
      apply('b', pod(undefined, { finalizers: ['z', 'w'] })),
    ),
    seq(
      'pod: an update removing a finalizer',
      apply('a', pod(undefined, { finalizers: ['x', 'y'] })),
      update('controller', pod(undefined, { finalizers: ['y'] })),
      apply('a', pod(undefined, { finalizers: ['x', 'y'] })),
    ),
    seq(
      'pod: volumes keyed by name',
      apply('a', pod({ containers: [app], volumes: [{ name: 'a', emptyDir: {} }, { name: 'b', configMap: { name: 'b' } }] })),
      apply('b', pod({ volumes: [{ name: 'c', secret: { secretName: 'c' } }] })),
      apply('a', pod({ containers: [app], volumes: [{ name: 'b', configMap: { name: 'b', optional: true } }] })),
    ),
    seq(
      'pod: command and args replaced by an updater',
      apply('a', pod({ containers: [{ ...app, command: ['sh', '-c'], args: ['sleep 10'] }] })),
      update('editor', pod({ containers: [{ ...app, command: ['sh', '-c'], args: ['sleep 20'] }] })),
      apply('a', pod({ containers: [{ ...app, command: ['sh', '-c'] }] })),
    ),
    seq(
      'pod: ownerReferences keyed by uid',
      apply('a', pod(undefined, { ownerReferences: [owner('u-1', 'rs-1')] })),
      apply('b', pod(undefined, { ownerReferences: [owner('u-2', 'rs-2')] })),
      apply('b', pod(undefined, { ownerReferences: [{ ...owner('u-1', 'rs-1'), blockOwnerDeletion: true }] })),
      apply('a', pod(undefined, {})),
    ),
    seq('pod: a null nodeSelector in an apply', apply('a', pod({ nodeSelector: { disk: 'ssd' } })), apply('a', pod({ nodeSelector: null }))),
    seq('pod: an empty tolerations list', apply('a', pod({ tolerations: [tolerate('gpu')] })), apply('b', pod({ tolerations: [] })), apply('b', pod({ tolerations: [] }), true)),
    seq(
      'pod: force over an updater\'s atomic list',
      update('editor', pod({ tolerations: [tolerate('gpu')] })),
      apply('a', pod({ tolerations: [tolerate('spot')] })),
      apply('a', pod({ tolerations: [tolerate('spot')] }), true),
    ),
    seq(
      'pod: init containers and containers are separate lists',
      apply('a', pod({ initContainers: [{ name: 'init', image: 'busybox' }], containers: [app] })),
      apply('b', pod({ initContainers: [{ name: 'init', image: 'alpine' }], containers: [{ name: 'app', image: 'busybox:1.36' }] })),
      apply('a', pod({ containers: [app] })),
    ),
    seq(
      'pod: labels applied, then removed while an updater owns one',
      apply('a', pod(undefined, { labels: { app: 'job', run: '1' } })),
      update('labeler', pod(undefined, { labels: { app: 'job', run: '2' } })),
      apply('a', pod(undefined, {})),
    ),
    seq(
      'pod: apply of a field, then an update deleting it',
      apply('a', pod({ containers: [app], hostname: 'h1', subdomain: 's' })),
      update('editor', pod({ containers: [app], subdomain: 's' })),
      apply('a', pod({ containers: [app], subdomain: 's' })),
    ),
    seq(
      'pod: three appliers share a finalizer',
      apply('a', pod(undefined, { finalizers: ['f'] })),
      apply('b', pod(undefined, { finalizers: ['f', 'g'] })),
      apply('c', pod(undefined, { finalizers: ['f'] })),
      apply('a', pod(undefined, {})),
      apply('c', pod(undefined, {})),
      apply('b', pod(undefined, { finalizers: ['g'] })),
    ),
    seq(
      'pod: an update setting a field to null',
      apply('a', pod({ containers: [app], hostname: 'h', nodeSelector: { disk: 'ssd' } })),
      update('editor', pod({ containers: [app], hostname: null, nodeSelector: { disk: 'ssd' } })),
      apply('a', pod({ containers: [app], nodeSelector: { disk: 'ssd' } })),
    ),
    seq(
      'pod: ownerReferences removed by a collector\'s update',
      apply('a', pod(undefined, { ownerReferences: [owner('u-1', 'rs-1'), owner('u-2', 'rs-2')] })),
      update('garbage-collector', pod(undefined, { ownerReferences: [owner('u-2', 'rs-2')] })),
      apply('a', pod(undefined, { ownerReferences: [owner('u-2', 'rs-2')] })),
    ),
    from(
      pod({ containers: [app], tolerations: [tolerate('gpu')], volumes: [{ name: 'v', emptyDir: {} }] }, { finalizers: ['x', 'y'] }),
      'pod: an unowned pod taken over piece by piece',
      apply('a', pod({ tolerations: [tolerate('gpu')] }, { finalizers: ['x'] })),
      update('editor', pod({ containers: [app], tolerations: [tolerate('spot')], volumes: [{ name: 'v', emptyDir: { medium: 'Memory' } }] }, { finalizers: ['x', 'y'] })),
      apply('a', pod({}, { finalizers: [] })),
    ),
    seq(
      'pod: an update adding to a set an applier owns part of',
      apply('a', pod(undefined, { finalizers: ['x'] })),
      update('controller', pod(undefined, { finalizers: ['x', 'y'] })),
      apply('b', pod(undefined, { finalizers: ['y', 'z'] })),
      apply('a', pod(undefined, { finalizers: ['x', 'y'] })),
      update('controller', pod(undefined, { finalizers: ['z'] })),
    ),
  ],
};

/** ConfigMap: `data`, `binaryData`, labels and annotations are granular maps of strings. */
import { apply, from, object, seq, update, type OracleSuite } from './steps.js';

function cm(data: Record<string, unknown> | null | undefined, metadata: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return object('v1', 'ConfigMap', 'settings', { ...(data !== undefined ? { data } : {}), ...extra }, metadata);
}

export const configMapSuite: OracleSuite = {
  name: 'ConfigMap',
  schema: { message: 'k8s.io.api.core.v1.ConfigMap' },
  cases: [
    seq('cm: one applier creates', apply('a', cm({ color: 'blue', size: 'L' }))),
    seq('cm: re-applying the same config changes nothing', apply('a', cm({ color: 'blue' })), apply('a', cm({ color: 'blue' }))),
    seq('cm: two appliers with the same value share the key', apply('a', cm({ color: 'blue', size: 'L' })), apply('b', cm({ color: 'blue' }))),
    seq('cm: two appliers with different values conflict', apply('a', cm({ color: 'blue', size: 'L' })), apply('b', cm({ color: 'red' }))),
    seq('cm: force moves ownership', apply('a', cm({ color: 'blue', size: 'L' })), apply('b', cm({ color: 'red' }), true), apply('a', cm({ size: 'L' }))),
    seq('cm: a key the applier alone owns is pruned when dropped', apply('a', cm({ color: 'blue', size: 'L' })), apply('a', cm({ color: 'blue' }))),
    seq('cm: a key another applier shares is kept when dropped', apply('a', cm({ color: 'blue', size: 'L' })), apply('b', cm({ size: 'L' })), apply('a', cm({ color: 'blue' }))),
    seq(
      'cm: an update takes the fields it changes, without conflicts',
      apply('a', cm({ color: 'blue', size: 'L' })),
      update('editor', cm({ color: 'green', size: 'L' })),
      apply('a', cm({ size: 'L' })),
    ),
    seq('cm: an update that changes nothing owns nothing', apply('a', cm({ color: 'blue' })), update('editor', cm({ color: 'blue' }))),
    seq('cm: an update deleting an applied key takes it from the applier', apply('a', cm({ color: 'blue', size: 'L' })), update('editor', cm({ color: 'blue' })), apply('a', cm({ color: 'blue', size: 'L' }))),
    seq('cm: an applier conflicts with an updater', update('editor', cm({ color: 'green' })), apply('a', cm({ color: 'blue' }))),
    seq('cm: force over an updater leaves it nothing', update('editor', cm({ color: 'green' })), apply('a', cm({ color: 'blue' }), true)),
    seq('cm: a dropped key an updater also set is kept', apply('a', cm({ color: 'blue' })), update('editor', cm({ color: 'blue', mode: 'x' })), apply('a', cm({ color: 'blue', mode: 'x' })), apply('a', cm({ color: 'blue' }))),
    seq(
      'cm: labels and annotations are granular per key',
      apply('a', cm({ k: 'v' }, { labels: { app: 'web', tier: 'front' }, annotations: { note: 'one' } })),
      apply('b', cm(undefined, { labels: { team: 'blue' }, annotations: { note: 'two' } })),
      apply('b', cm(undefined, { labels: { team: 'blue' }, annotations: { note: 'two' } }), true),
      apply('a', cm({ k: 'v' }, { labels: { app: 'web' } })),
    ),
    seq('cm: an empty data map', apply('a', cm({})), apply('b', cm({ x: '1' })), apply('a', cm({}))),
    seq('cm: null data in an apply', apply('a', cm({ x: '1' })), apply('b', cm(null))),
    seq('cm: null data from a sole applier', apply('a', cm({ x: '1' })), apply('a', cm(null))),
    seq('cm: an applier dropping the whole map prunes its keys', apply('a', cm({ x: '1', y: '2' })), apply('b', cm({ z: '3' })), apply('a', cm(undefined))),
    seq(
      'cm: conflicts with two managers at once, sorted',
      apply('a', cm({ x: '1', y: '2' })),
      apply('b', cm({ z: '3', w: '4' })),
      apply('c', cm({ x: '9', z: '9', w: '9' })),
      apply('c', cm({ x: '9', z: '9', w: '9' }), true),
    ),
    seq('cm: repeated updates by one manager keep one entry', update('editor', cm({ x: '1' })), update('editor', cm({ x: '2', y: '1' })), update('other', cm({ x: '2', y: '2' }))),
    seq('cm: an update under an applier\'s name turns it into an updater', apply('a', cm({ x: '1' })), update('a', cm({ x: '1', y: '2' })), apply('a', cm({ y: '2' }))),
    seq(
      'cm: binaryData and immutable',
      apply('a', cm({ x: '1' }, {}, { binaryData: { blob: 'AAEC' }, immutable: false })),
      apply('b', cm(undefined, {}, { immutable: true })),
      apply('b', cm(undefined, {}, { immutable: true }), true),
      apply('a', cm({ x: '1' })),
    ),
    seq('cm: re-applying an updater\'s value shares the key', apply('a', cm({ x: '1' })), update('editor', cm({ x: '2' })), apply('a', cm({ x: '2' })), apply('a', cm({}))),
    seq(
      'cm: a third applier forces a key two others own',
      apply('a', cm({ x: '1', y: '1' })),
      apply('b', cm({ x: '1', z: '1' })),
      apply('c', cm({ x: '3' })),
      apply('c', cm({ x: '3' }), true),
      apply('a', cm({ y: '1' })),
    ),
    from(cm({ x: '1', y: '2' }), 'cm: an applier dropping a key of an unowned object', apply('a', cm({ x: '1' })), apply('a', cm({}))),
    from(cm({ x: '1', y: '2' }), 'cm: an applier dropping the whole map of an unowned object', apply('a', cm({ x: '1' })), apply('a', cm(undefined))),
    from(cm({ x: '1' }, { labels: { a: '1' } }), 'cm: the first update of an unowned object', update('editor', cm({ x: '2' }, { labels: { a: '1' } })), apply('b', cm({ x: '3' }, { labels: { a: '1', b: '2' } }))),
    seq('cm: an update nulling labels', apply('a', cm({ x: '1' }, { labels: { a: '1', b: '2' } })), update('editor', cm({ x: '1' }, { labels: null })), apply('a', cm({ x: '1' }, { labels: { a: '1' } }))),
  ],
};

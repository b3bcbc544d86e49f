/**
 * Where upstream's round-trip fixtures live: `../shared/fixtures/kube-roundtrip` (from a newer
 * release), and, for 1.33 kinds that release no longer ships (alpha versions since removed or
 * changed), the 1.33 fixtures committed in `test/fixtures/kube-roundtrip-1.33/`. A fixture
 * found in both is read from the 1.33 copy: that is the release we match.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The shared fixtures directory. */
export const SHARED_FIXTURES = join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures', 'kube-roundtrip');
/** The 1.33 fixtures committed with the tests. */
export const RELEASE_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'kube-roundtrip-1.33');

/** The path of a fixture file (`GROUP.VERSION.KIND.json` or `.pb`). */
export function fixturePath(file: string): string {
  const release = join(RELEASE_FIXTURES, file);
  return existsSync(release) ? release : join(SHARED_FIXTURES, file);
}

/** Whether upstream has a fixture named `GROUP.VERSION.KIND`. */
export function hasFixture(name: string): boolean {
  return existsSync(fixturePath(`${name}.json`));
}

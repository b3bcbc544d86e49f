/** The version Wheelhouse reports at /version: the Kubernetes API level it implements. */
import type { VersionInfo } from '../transports/http/app.js';

/** Kubernetes minor we implement; kubectl's dispatcher picks its client from it. */
export const KUBERNETES_MAJOR = '1';
export const KUBERNETES_MINOR = '33';

/** The /version document. */
export function versionInfo(): VersionInfo {
  return {
    major: KUBERNETES_MAJOR,
    minor: KUBERNETES_MINOR,
    gitVersion: `v${KUBERNETES_MAJOR}.${KUBERNETES_MINOR}.0+wheelhouse`,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-11-26T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}

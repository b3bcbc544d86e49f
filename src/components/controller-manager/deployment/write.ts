/**
 * Writing a Deployment's revision annotation and status. Upstream writes both through
 * UpdateStatus (its Deployment status strategy keeps annotation changes); Wheelhouse's
 * /status takes only the status, so the revision annotation goes as a merge patch of the
 * Deployment's metadata first (no generation bump) and the status through /status after.
 * The working copy's resourceVersion follows each write, so later writes in the same sync
 * do not conflict with this sync's own.
 */
import type { Deployment, DeploymentStatus } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import { REVISION } from './annotations.js';
import type { Deps } from './deps.js';

/** Sets the Deployment's revision annotation on the working copy; whether it changed (SetDeploymentRevision). */
export function setDeploymentRevision(d: Deployment, revision: string): boolean {
  d.metadata!.annotations ??= {};
  if (d.metadata!.annotations[REVISION] === revision) return false;
  d.metadata!.annotations[REVISION] = revision;
  return true;
}

/** Persists the working copy's revision annotation (when `revisionChanged`) and its status. */
export async function writeDeployment(deps: Deps, d: Deployment, revisionChanged: boolean): Promise<void> {
  const client = deps.cs.appsV1.deployments;
  const ns = d.metadata?.namespace;
  if (revisionChanged) {
    const revision = d.metadata?.annotations?.[REVISION];
    const patched = await client.patch(d.metadata?.name ?? '', 'merge', { metadata: { annotations: { [REVISION]: revision } } }, { namespace: ns });
    d.metadata!.resourceVersion = patched.metadata?.resourceVersion;
  }
  await writeStatus(deps, d, d.status ?? { conditions: [] });
}

/** Writes `status` through /status; the working copy takes the new status and resourceVersion. */
export async function writeStatus(deps: Deps, d: Deployment, status: DeploymentStatus): Promise<void> {
  const updated = await deps.cs.appsV1.deployments.updateStatus({ ...d, status }, { namespace: d.metadata?.namespace });
  d.status = status;
  d.metadata!.resourceVersion = updated.metadata?.resourceVersion;
}

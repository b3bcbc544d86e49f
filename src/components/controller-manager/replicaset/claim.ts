/**
 * Claiming children by selector, as upstream's ControllerRefManager: a child the owner
 * controls stays while the selector matches it and is released (its owner reference removed)
 * when it no longer does; an orphan that matches is adopted (an owner reference with
 * controller and blockOwnerDeletion set), unless the owner or the child is being deleted.
 * Children controlled by someone else are left alone. Before the first adoption the owner is
 * read again from the server, so a deleted-and-recreated owner never adopts.
 */
import type { ObjectMeta, OwnerReference } from '../../../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';
import { controllerRef } from '../../../client/index.js';
import { hasDeletionTimestamp } from './pods.js';
import { reasonOf } from './errors.js';

interface HasMeta {
  metadata?: ObjectMeta | undefined;
}

export interface ClaimOptions<C extends HasMeta> {
  /** The owner reference adoption writes (controller: true). */
  ownerRef: OwnerReference;
  /** Whether the owner's selector matches the child. */
  matches(child: C): boolean;
  /** Patches a child to carry `ownerRef`. */
  adopt(child: C, patch: unknown): Promise<unknown>;
  /** Patches a child to drop its reference to the owner. */
  release(child: C, patch: unknown): Promise<unknown>;
  /** Reads the owner from the server (for the check before adopting). */
  fresh(): Promise<HasMeta>;
}

/** The strategic merge patch that adopts `child` (upstream's ownerRefControllerPatch). */
export function adoptPatch(ownerRef: OwnerReference, child: HasMeta): unknown {
  return { metadata: { ownerReferences: [{ ...ownerRef }], uid: child.metadata?.uid } };
}

/** The strategic merge patch that releases `child` from the owner with `ownerUid`. */
export function releasePatch(ownerUid: string, child: HasMeta): unknown {
  return { metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUid }], uid: child.metadata?.uid } };
}

/** Claims `children` for `owner`; returns those it controls afterwards. Errors are thrown after every child was tried. */
export async function claimChildren<C extends HasMeta>(owner: HasMeta, children: C[], opts: ClaimOptions<C>): Promise<C[]> {
  const uid = owner.metadata?.uid ?? '';
  const ownerDeleting = hasDeletionTimestamp(owner);
  const claimed: C[] = [];
  const errors: unknown[] = [];
  let adoptable: Promise<void> | undefined;
  const canAdopt = (): Promise<void> =>
    (adoptable ??= opts.fresh().then((current) => {
      const m: { namespace?: string | undefined; name?: string | undefined } = owner.metadata ?? {};
      if (current.metadata?.uid !== uid) throw new Error(`original ${m.namespace}/${m.name} is gone: got uid ${current.metadata?.uid ?? ''}, wanted ${uid}`);
      if (hasDeletionTimestamp(current)) throw new Error(`${m.namespace}/${m.name} has just been deleted`);
    }));
  for (const child of children) {
    const ref = controllerRef(child);
    try {
      if (ref) {
        if (ref.uid !== uid) continue;
        if (opts.matches(child)) {
          claimed.push(child);
          continue;
        }
        if (ownerDeleting) continue;
        await opts.release(child, releasePatch(uid, child)).catch(ignoreGone);
        continue;
      }
      if (ownerDeleting || !opts.matches(child) || hasDeletionTimestamp(child)) continue;
      if (owner.metadata?.namespace && owner.metadata.namespace !== child.metadata?.namespace) continue;
      await canAdopt();
      const adopted = await opts.adopt(child, adoptPatch(opts.ownerRef, child)).then(
        () => true,
        (err: unknown) => (ignoreGone(err), false),
      );
      if (adopted) claimed.push(child);
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length > 0) throw errors[0];
  return claimed;
}

/** NotFound (the child is gone) is no error for claiming; anything else is rethrown. */
function ignoreGone(err: unknown): void {
  if (reasonOf(err) !== 'NotFound') throw err;
}

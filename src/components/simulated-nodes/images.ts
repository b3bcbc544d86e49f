/**
 * What a containerd-backed kubelet reports for a container's image and identity: the image
 * reference fully qualified (`nginx` → `docker.io/library/nginx:latest`), an imageID as
 * `<repository>@sha256:<digest>` (here a digest of the reference, stable across runs), and a
 * containerID `containerd://<64 hex digits>`.
 */
import { createHash, randomBytes } from 'node:crypto';

/** The image reference as containerd normalises it. */
export function normalizeImage(image: string): string {
  let ref = image.trim();
  if (ref === '') return ref;
  const slash = ref.indexOf('/');
  const first = slash < 0 ? '' : ref.slice(0, slash);
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) ref = `docker.io/${slash < 0 ? `library/${ref}` : ref}`;
  const lastSlash = ref.lastIndexOf('/');
  const tail = ref.slice(lastSlash + 1);
  if (!tail.includes(':') && !tail.includes('@')) ref = `${ref}:latest`;
  return ref;
}

/** The repository part of a normalised reference (no tag, no digest). */
function repository(normalized: string): string {
  const at = normalized.indexOf('@');
  const noDigest = at < 0 ? normalized : normalized.slice(0, at);
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.indexOf(':', lastSlash + 1);
  return colon < 0 ? noDigest : noDigest.slice(0, colon);
}

/** The imageID the runtime would report for `image`. */
export function imageID(image: string): string {
  const normalized = normalizeImage(image);
  const at = normalized.indexOf('@');
  if (at >= 0) return `${repository(normalized)}${normalized.slice(at)}`;
  return `${repository(normalized)}@sha256:${createHash('sha256').update(normalized).digest('hex')}`;
}

/** A fresh containerID. */
export function newContainerID(): string {
  return `containerd://${randomBytes(32).toString('hex')}`;
}

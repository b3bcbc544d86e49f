/**
 * Value transformers by storage key: each stored resource's key root (`/registry/secrets/`)
 * maps to its resource's transformer, registered as the resource is installed. A key under
 * no registered root is read with the identity check (an encrypted value does not read).
 */
import { identityTransformer, type ValueTransformer } from './transformer.js';

/** The transformer of every key under registered roots. */
export class KeyTransformers {
  private readonly roots = new Map<string, ValueTransformer>();

  /** Stores values under `root` (ending in `/`) through `transformer`; returns the unregistration. */
  register(root: string, transformer: ValueTransformer): () => void {
    this.roots.set(root, transformer);
    return () => {
      if (this.roots.get(root) === transformer) this.roots.delete(root);
    };
  }

  /** The transformer of `key`: the longest registered root it is under. */
  forKey(key: string): ValueTransformer {
    for (let end = key.lastIndexOf('/'); end > 0; end = key.lastIndexOf('/', end - 1)) {
      const found = this.roots.get(key.slice(0, end + 1));
      if (found) return found;
    }
    return identityTransformer;
  }
}

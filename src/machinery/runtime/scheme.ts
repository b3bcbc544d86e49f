/**
 * The runtime scheme: every kind the server can read and write, by group, version and
 * kind. Kinds can be registered and unregistered while the server runs (custom resources);
 * listeners hear of every change, so what is derived from the scheme can follow.
 */
import type { GroupVersionKind, KindSchema } from './kind-schema.js';

const keyOf = (gvk: GroupVersionKind): string => `${gvk.group}/${gvk.version}/${gvk.kind}`;

/** Kinds by group/version/kind. */
export interface Scheme {
  /** The schema of a kind, or undefined when it is not registered. */
  get(gvk: GroupVersionKind): KindSchema | undefined;
  /** Every registered kind, in registration order. */
  kinds(): KindSchema[];
  /**
   * Registers kinds; returns the function that unregisters them. A kind registered twice
   * is an error: unregister the old schema first.
   */
  register(schemas: readonly KindSchema[]): () => void;
  /** Runs `listener` after every change; returns the function that unsubscribes. */
  onChange(listener: () => void): () => void;
}

/** An empty scheme. */
export function createScheme(): Scheme {
  const byKey = new Map<string, KindSchema>();
  const listeners = new Set<() => void>();
  const changed = (): void => {
    for (const l of [...listeners]) l();
  };
  return {
    get: (gvk) => byKey.get(keyOf(gvk)),
    kinds: () => [...byKey.values()],
    register(schemas) {
      for (const s of schemas) if (byKey.has(keyOf(s.gvk))) throw new Error(`kind ${keyOf(s.gvk)} is already registered`);
      for (const s of schemas) byKey.set(keyOf(s.gvk), s);
      changed();
      let done = false;
      return () => {
        if (done) return;
        done = true;
        for (const s of schemas) if (byKey.get(keyOf(s.gvk)) === s) byKey.delete(keyOf(s.gvk));
        changed();
      };
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

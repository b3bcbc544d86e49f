/**
 * `--encryption-provider-config` wired into storage: the file read and validated at start
 * (a bad file is a start-up error, worded as kube-apiserver's), and each stored resource's
 * key root bound to its configured transformer as the resource is installed.
 */
import { readFile } from 'node:fs/promises';
import type { ResourceDefinition } from '../registry/rest/definition.js';
import { encryptionTransformers, EncryptionConfigError, KeyTransformers, parseEncryptionConfiguration, type EncryptionTransformers } from '../storage/value/index.js';
import { StartupError } from './startup-error.js';

/** The transformers of the configuration file `file`. */
export async function loadEncryptionConfig(file: string): Promise<EncryptionTransformers> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new StartupError(`error while loading file: error reading encryption provider configuration file ${JSON.stringify(file)}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return encryptionTransformers(parseEncryptionConfiguration(text, file));
  } catch (err) {
    if (err instanceof EncryptionConfigError) throw new StartupError(err.message, { cause: err });
    throw err;
  }
}

/** Key roots → transformers, filled by {@link EncryptionAtRest.storedAt} as resources are installed. */
export interface EncryptionAtRest {
  keys: KeyTransformers;
  storedAt(def: ResourceDefinition, root: string): () => void;
}

/** Binds installed resources' key roots to the configuration's transformers. */
export function encryptionAtRest(config: EncryptionTransformers): EncryptionAtRest {
  const keys = new KeyTransformers();
  return {
    keys,
    storedAt: (def, root) => keys.register(root, config.transformerFor(def.group, def.resource)),
  };
}

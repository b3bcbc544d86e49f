/**
 * `--encryption-provider-config`: upstream's apiserver.config.k8s.io/v1 EncryptionConfiguration
 * (YAML or JSON), validated with upstream's wording, turned into one value transformer per
 * configured group/resource. Each entry's providers are tried in order when reading and the
 * first writes: `k8s:enc:aesgcm:v1:<key name>:`, `k8s:enc:aescbc:v1:<key name>:`,
 * `k8s:enc:secretbox:v1:<key name>:` then the ciphertext; `identity` writes plaintext.
 * A resource is matched by its own entry (`secrets`, `deployments.apps`), else its group's
 * (`*.` for the core group, `*.apps`), else `*.*`; anything else is read with the identity
 * check (encrypted values do not read).
 */
import { Buffer } from 'node:buffer';
import { parseDocument } from 'yaml';
import { fieldErrorBody, invalidValue, required, type FieldError } from '../../machinery/validation/field-error.js';
import { aesCbcTransformer, aesGcmTransformer } from './aes.js';
import { secretboxTransformer } from './secretbox.js';
import { identityTransformer, prefixTransformers, type PrefixedTransformer, type ValueTransformer } from './transformer.js';

const API_VERSION = 'apiserver.config.k8s.io/v1';
const KIND = 'EncryptionConfiguration';
const AES_KEY_SIZES = [16, 24, 32];
const SECRETBOX_KEY_SIZES = [32];
const PROVIDERS = ['kms', 'aesgcm', 'aescbc', 'secretbox', 'identity'] as const;
type ProviderName = (typeof PROVIDERS)[number];

/** A key of the aesgcm, aescbc or secretbox provider. */
export interface EncryptionKey {
  name: string;
  /** Base64 of the key's bytes. */
  secret: string;
}

/** One entry of `providers`: exactly one member set. */
export type ProviderConfiguration = Partial<Record<Exclude<ProviderName, 'identity' | 'kms'>, { keys?: EncryptionKey[] }>> & {
  identity?: Record<string, never>;
  kms?: Record<string, unknown>;
};

/** One entry of `resources`. */
export interface ResourceConfiguration {
  resources?: string[];
  providers?: ProviderConfiguration[];
}

/** The file's content. */
export interface EncryptionConfiguration {
  apiVersion?: string;
  kind?: string;
  resources?: ResourceConfiguration[];
}

/** The configured transformers, by group and resource. */
export interface EncryptionTransformers {
  /** The transformer of a stored resource: its own entry's, its group's, `*.*`'s, else the identity check. */
  transformerFor(group: string, resource: string): ValueTransformer;
  /** Whether any entry names (or matches) the resource. */
  configures(group: string, resource: string): boolean;
}

/** A configuration file that cannot be used; the message is upstream's where cheap. */
export class EncryptionConfigError extends Error {}

/** schema.ParseGroupResource: `resource.group`, split at the first dot. */
function parseGroupResource(s: string): { group: string; resource: string } {
  const dot = s.indexOf('.');
  return dot < 0 ? { group: '', resource: s } : { group: s.slice(dot + 1), resource: s.slice(0, dot) };
}

/** grYAMLString: how upstream names a group/resource in its masking error. */
function grString(gr: { group: string; resource: string }): string {
  if (gr.group === '' && gr.resource === '*') return '*.';
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The Go types of the file, for strict decoding: a field's type and the fields an object may have. */
type Shape = { go: string } & ({ kind: 'string' } | { kind: 'list'; of: Shape } | { kind: 'object'; fields?: Record<string, Shape> });
const STRING: Shape = { go: 'string', kind: 'string' };
const list = (of: Shape): Shape => ({ go: `[]${of.go}`, kind: 'list', of });
const object = (go: string, fields?: Record<string, Shape>): Shape => ({ go, kind: 'object', ...(fields ? { fields } : {}) });
const KEYS = list(object('v1.Key', { name: STRING, secret: STRING }));
const CONFIG_SHAPE = object('EncryptionConfiguration', {
  apiVersion: STRING,
  kind: STRING,
  resources: list(
    object('v1.ResourceConfiguration', {
      resources: list(STRING),
      providers: list(
        object('v1.ProviderConfiguration', {
          aesgcm: object('v1.AESConfiguration', { keys: KEYS }),
          aescbc: object('v1.AESConfiguration', { keys: KEYS }),
          secretbox: object('v1.SecretboxConfiguration', { keys: KEYS }),
          identity: object('v1.IdentityConfiguration', {}),
          kms: object('v1.KMSConfiguration'),
        }),
      ),
    }),
  ),
});

/** A JSON value's type as encoding/json names it. */
function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

/**
 * Strict decoding, as upstream's: a value of the wrong type is an error (thrown at once, in
 * encoding/json's words), and so is each field the type does not have (returned).
 */
function strictDecodeErrors(config: unknown): string[] {
  const unknown: string[] = [];
  const walk = (v: unknown, shape: Shape, path: string, owner: string): void => {
    if (v === null || v === undefined) return;
    const ok = shape.kind === 'string' ? typeof v === 'string' : shape.kind === 'list' ? Array.isArray(v) : isRecord(v);
    if (!ok) throw new Error(`json: cannot unmarshal ${jsonType(v)} into Go struct field ${owner}.${path} of type ${shape.go}`);
    if (shape.kind === 'list') (v as unknown[]).forEach((item, i) => walk(item, shape.of, `${path}[${i}]`, owner));
    if (shape.kind !== 'object' || !shape.fields) return;
    for (const [k, field] of Object.entries(v as Record<string, unknown>)) {
      const at = path ? `${path}.${k}` : k;
      const fieldShape = shape.fields[k];
      if (!fieldShape) unknown.push(`unknown field "${at}"`);
      else walk(field, fieldShape, at, shape.go.replace(/^v1\./, ''));
    }
  };
  walk(config, CONFIG_SHAPE, '', 'EncryptionConfiguration');
  return unknown;
}

/** Go's base64.StdEncoding.DecodeString: padded standard alphabet only. */
function decodeBase64(s: string): Buffer | undefined {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return undefined;
  return Buffer.from(s, 'base64');
}

function validateKeys(keys: EncryptionKey[] | undefined, path: string, sizes: number[]): FieldError[] {
  if (!keys || keys.length === 0) return [required(path, 'at least one keys is required')];
  const errs: FieldError[] = [];
  keys.forEach((key, i) => {
    const at = `${path}[${i}]`;
    if (!key.name) errs.push(required(`${at}.name`, 'name is a mandatory field for a key'));
    if (!key.secret) {
      errs.push(required(`${at}.secret`, 'secret is a mandatory field for a key'));
      return;
    }
    const secret = decodeBase64(key.secret);
    if (!secret) {
      errs.push(invalidValue(`${at}.secret`, 'REDACTED', 'secrets must be base64 encoded'));
      return;
    }
    if (!sizes.includes(secret.byteLength)) {
      errs.push(invalidValue(`${at}.secret`, 'REDACTED', `secret is not of the expected length, got ${secret.byteLength}, expected one of [${sizes.join(' ')}]`));
    }
  });
  return errs;
}

function validateResources(resources: string[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const parsed = resources.map(parseGroupResource);
  let duplicate = false;
  let overlap = false;
  parsed.forEach((a, i) =>
    parsed.forEach((b, j) => {
      if (i === j) return;
      if (a.group === b.group && a.resource === b.resource) {
        duplicate = true;
        return;
      }
      if (a.group === '*' && a.resource === '*') overlap = true;
      else if (a.group === b.group && (a.resource === '*' || b.resource === '*')) overlap = true;
    }),
  );
  if (duplicate) errs.push(invalidValue(path, resources, 'the same resource cannot be specified multiple times'));
  if (overlap) {
    errs.push(invalidValue(path, resources, "using overlapping resources such as 'secrets' and '*.' in the same resource list is not allowed as they will be masked"));
  }
  resources.forEach((res, j) => {
    const at = `${path}[${j}]`;
    const gr = parseGroupResource(res);
    let detail: string | undefined;
    if (/[A-Z]/.test(res)) detail = 'resource name should not contain capital letters';
    else if (res === '*') detail = "use '*.' to encrypt all the resources from core API group or *.* to encrypt all resources";
    else if (['apiserveripinfo', 'serviceipallocations', 'servicenodeportallocations'].includes(res)) detail = 'resources which do not have REST API/s cannot be encrypted';
    else if (gr.group === 'events.k8s.io') detail = "'*.events.k8s.io' objects are stored using the 'events' API group in etcd. Use 'events' instead in the config file";
    else if (gr.group === 'extensions') detail = "'extensions' group has been removed and cannot be used for encryption";
    else if (gr.group === '*' && gr.resource !== '*') detail = 'encrypting the same resource across groups is not supported';
    if (detail) errs.push(invalidValue(at, res, detail));
  });
  return errs;
}

/** ValidateEncryptionConfiguration, without KMS (which this server does not run). */
export function validateEncryptionConfiguration(c: EncryptionConfiguration): FieldError[] {
  if (!c.resources || c.resources.length === 0) return [required('resources', 'at least one resources is required')];
  const errs: FieldError[] = [];
  c.resources.forEach((conf, i) => {
    const r = `resources[${i}].resources`;
    const p = `resources[${i}].providers`;
    if (!conf.resources || conf.resources.length === 0) errs.push(required(r, `at least one ${r} is required`));
    else errs.push(...validateResources(conf.resources, r));
    if (!conf.providers || conf.providers.length === 0) errs.push(required(p, `at least one ${p} is required`));
    (conf.providers ?? []).forEach((provider, j) => {
      const path = `${p}[${j}]`;
      const set = PROVIDERS.filter((name) => isRecord(provider) && provider[name] !== undefined && provider[name] !== null);
      if (set.length === 0) {
        errs.push(invalidValue(path, provider, 'provider does not contain any of the expected providers: KMS, AESGCM, AESCBC, Secretbox, Identity'));
        return;
      }
      if (set.length > 1) {
        errs.push(invalidValue(path, provider, 'more than one provider specified in a single element, should split into different list elements'));
        return;
      }
      const name = set[0]!;
      if (name === 'kms') errs.push(invalidValue(`${path}.kms`, 'REDACTED', 'KMS providers are not supported by this server'));
      else if (name === 'aesgcm' || name === 'aescbc') errs.push(...validateKeys(provider[name]?.keys, `${path}.${name}.keys`, AES_KEY_SIZES));
      else if (name === 'secretbox') errs.push(...validateKeys(provider.secretbox?.keys, `${path}.secretbox.keys`, SECRETBOX_KEY_SIZES));
    });
  });
  return errs;
}

/** field.ErrorList.ToAggregate().Error(). */
function aggregateMessage(errs: FieldError[]): string {
  const lines = errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
  return lines.length === 1 ? lines[0]! : `[${lines.join(', ')}]`;
}

/** One provider's keys behind `k8s:enc:<provider>:v1:`, each behind `<name>:`. */
function keyedProvider(prefix: string, keys: EncryptionKey[], make: (key: Buffer) => ValueTransformer, noKey: string): PrefixedTransformer {
  const perKey = keys.map((k) => ({ prefix: Buffer.from(`${k.name}:`), transformer: make(decodeBase64(k.secret)!) }));
  return { prefix: Buffer.from(prefix), transformer: prefixTransformers(noKey, perKey) };
}

function providerTransformer(provider: ProviderConfiguration): PrefixedTransformer {
  if (provider.aesgcm) return keyedProvider('k8s:enc:aesgcm:v1:', provider.aesgcm.keys ?? [], aesGcmTransformer, 'no matching key was found for the provided AES transformer');
  if (provider.aescbc) return keyedProvider('k8s:enc:aescbc:v1:', provider.aescbc.keys ?? [], aesCbcTransformer, 'no matching key was found for the provided AES transformer');
  if (provider.secretbox) {
    return keyedProvider('k8s:enc:secretbox:v1:', provider.secretbox.keys ?? [], secretboxTransformer, 'no matching key was found for the provided Secretbox transformer');
  }
  return { prefix: new Uint8Array(0), transformer: identityTransformer };
}

/** Parses and validates a configuration file's text; `file` names it in errors. */
export function parseEncryptionConfiguration(text: string, file: string): EncryptionConfiguration {
  if (text.length === 0) throw new EncryptionConfigError(`encryption provider configuration file ${JSON.stringify(file)} is empty`);
  const doc = parseDocument(text, { uniqueKeys: true });
  const decodeError = (msg: string) =>
    new EncryptionConfigError(`error while parsing file: error decoding encryption provider configuration file ${JSON.stringify(file)}: ${msg}`);
  if (doc.errors.length > 0) throw decodeError(doc.errors[0]!.message.split('\n')[0]!);
  const raw: unknown = doc.toJS();
  if (!isRecord(raw)) throw decodeError("Object 'Kind' is missing in the configuration");
  if (typeof raw.kind !== 'string' || raw.kind === '') throw decodeError(`Object 'Kind' is missing in '${text.trim()}'`);
  if (raw.apiVersion !== API_VERSION || raw.kind !== KIND) {
    throw decodeError(`no kind ${JSON.stringify(raw.kind)} is registered for version ${JSON.stringify(raw.apiVersion ?? '')} in scheme`);
  }
  let unknown: string[];
  try {
    unknown = strictDecodeErrors(raw);
  } catch (err) {
    throw decodeError((err as Error).message);
  }
  if (unknown.length > 0) throw decodeError(`strict decoding error: ${unknown.join(', ')}`);
  const config = raw as EncryptionConfiguration;
  const errs = validateEncryptionConfiguration(config);
  if (errs.length > 0) throw new EncryptionConfigError(`error while parsing file: ${aggregateMessage(errs)}`);
  return config;
}

/** The transformers of a valid configuration (see {@link parseEncryptionConfiguration}). */
export function encryptionTransformers(config: EncryptionConfiguration): EncryptionTransformers {
  const byResource = new Map<string, PrefixedTransformer[]>();
  const id = (group: string, resource: string): string => `${group}/${resource}`;
  for (const entry of config.resources ?? []) {
    const providers = (entry.providers ?? []).map(providerTransformer);
    for (const name of entry.resources ?? []) {
      const gr = parseGroupResource(name);
      for (const mask of [{ group: gr.group, resource: '*' }, { group: '*', resource: '*' }]) {
        if (byResource.has(id(mask.group, mask.resource))) {
          throw new EncryptionConfigError(`error while building transformers: resource ${JSON.stringify(grString(gr))} is masked by earlier rule ${JSON.stringify(grString(mask))}`);
        }
      }
      const list = byResource.get(id(gr.group, gr.resource)) ?? [];
      list.push(...providers);
      byResource.set(id(gr.group, gr.resource), list);
    }
  }
  const transformers = new Map<string, ValueTransformer>();
  for (const [gr, list] of byResource) transformers.set(gr, prefixTransformers('no matching prefix found', list));
  const lookup = (group: string, resource: string): ValueTransformer | undefined =>
    transformers.get(id(group, resource)) ?? transformers.get(id(group, '*')) ?? transformers.get(id('*', '*'));
  return {
    transformerFor: (group, resource) => lookup(group, resource) ?? identityTransformer,
    configures: (group, resource) => lookup(group, resource) !== undefined,
  };
}

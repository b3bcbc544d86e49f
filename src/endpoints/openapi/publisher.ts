/**
 * OpenAPI publishing: the `/openapi/v3` index and one document per served group
 * version, addressed by a content hash, and the one `/openapi/v2` document converted from
 * them (JSON and gnostic protobuf, with upstream's ETag); all rebuilt when the catalog changes.
 */
import { createHash } from 'node:crypto';
import type { ApiCatalog } from '../catalog.js';
import { buildGroupVersionDocument } from './document.js';
import { groupVersionPath } from './names.js';
import { buildSwaggerDocument } from './v2-document.js';
import { encodeSwaggerProtobuf } from './v2-protobuf.js';

/** The `/openapi/v2` document in both of its forms; the ETag is upstream's: SHA-512 of the JSON bytes. */
export interface SwaggerDocument {
  readonly json: Buffer;
  /** gnostic's openapi.v2.Document, encoded on first use. */
  protobuf(): Uint8Array;
  /** Uppercase hex SHA-512 of `json`, unquoted. */
  readonly etag: string;
  /** When this document was built (the catalog last changed). */
  readonly lastModified: Date;
}

/** Serves the OpenAPI v3 index and per-group-version documents. */
export interface OpenApiPublisher {
  /** GET /openapi/v3: {"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=H"}, "apis/apps/v1": {...}}} */
  index(): Record<string, unknown>;
  /** GET /openapi/v3/<path> where path is "api/v1" or "apis/GROUP/VERSION"; undefined when not served. */
  document(path: string): Record<string, unknown> | undefined;
  /** GET /openapi/v2. */
  swagger(): SwaggerDocument;
}

/** Uppercase hex SHA-512 of the serialized document, as upstream addresses its documents. */
function contentHash(doc: Record<string, unknown>): string {
  return createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase();
}

/** Normalizes a requested path: no leading/trailing slashes, no query. */
function normalize(path: string): string {
  const q = path.indexOf('?');
  const bare = q < 0 ? path : path.slice(0, q);
  return bare.replace(/^\/+/, '').replace(/\/+$/, '');
}

interface Built {
  generation: number;
  docs: Map<string, Record<string, unknown>>;
  index: Record<string, unknown>;
  swagger?: SwaggerDocument;
}

function buildSwagger(docs: Map<string, Record<string, unknown>>): SwaggerDocument {
  const json = Buffer.from(JSON.stringify(buildSwaggerDocument([...docs.values()])), 'utf8');
  let protobuf: Uint8Array | undefined;
  return {
    json,
    etag: createHash('sha512').update(json).digest('hex').toUpperCase(),
    // HTTP dates have whole seconds; a sub-second part would defeat If-Modified-Since.
    lastModified: new Date(Math.floor(Date.now() / 1000) * 1000),
    protobuf: () => (protobuf ??= encodeSwaggerProtobuf(JSON.parse(json.toString('utf8')) as Record<string, unknown>)),
  };
}

function build(catalog: ApiCatalog): Built {
  const docs = new Map<string, Record<string, unknown>>();
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of catalog.groupVersions()) {
    const key = groupVersionPath(gv.group, gv.version);
    const doc = buildGroupVersionDocument(gv);
    docs.set(key, doc);
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${contentHash(doc)}` };
  }
  return { generation: catalog.generation, docs, index: { paths } };
}

/** Builds every group-version document of the catalog, again whenever the catalog has changed. */
export function createOpenApiPublisher(catalog: ApiCatalog): OpenApiPublisher {
  let built = build(catalog);
  const current = (): Built => {
    if (built.generation !== catalog.generation) built = build(catalog);
    return built;
  };
  return {
    index: () => current().index,
    document: (path) => current().docs.get(normalize(path)),
    swagger: () => {
      const b = current();
      b.swagger ??= buildSwagger(b.docs);
      return b.swagger;
    },
  };
}

/** Media types with parameters (`application/json;as=Table;v=v1`), for Accept and Content-Type. */

/** One media type or Accept entry. */
export interface MediaRange {
  type: string;
  params: Record<string, string>;
}

/** Parses a media type with parameters; the type is lowercased. */
export function parseMediaType(value: string): MediaRange {
  const [type = '', ...params] = value.split(';').map((s) => s.trim());
  const out: Record<string, string> = {};
  for (const p of params) {
    const i = p.indexOf('=');
    if (i > 0) out[p.slice(0, i).trim().toLowerCase()] = p.slice(i + 1).trim().replace(/^"|"$/g, '');
  }
  return { type: type.toLowerCase(), params: out };
}

/** The protobuf media type Kubernetes clients send. */
export const PROTOBUF = 'application/vnd.kubernetes.protobuf';

/** Media types an object body may come in. */
export const OBJECT_MEDIA_TYPES: readonly string[] = ['application/json', 'application/yaml', PROTOBUF];

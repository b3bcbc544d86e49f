/** Media-type parsing for Accept and Content-Type. */

/** One entry of an Accept header. */
export interface MediaRange {
  type: string;
  params: Record<string, string>;
}

/** Parses a media type with parameters: `application/json;as=Table;v=v1`. */
export function parseMediaType(value: string): MediaRange {
  const [type = '', ...params] = value.split(';').map((s) => s.trim());
  const out: Record<string, string> = {};
  for (const p of params) {
    const i = p.indexOf('=');
    if (i > 0) out[p.slice(0, i).trim().toLowerCase()] = p.slice(i + 1).trim().replace(/^"|"$/g, '');
  }
  return { type: type.toLowerCase(), params: out };
}

/** Parses an Accept header (missing → `*\/*`). */
export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [{ type: '*/*', params: {} }];
  return header.split(',').map((s) => parseMediaType(s)).filter((m) => m.type.length > 0);
}

/** Whether a plain JSON answer is acceptable. */
export function acceptsJson(ranges: MediaRange[]): boolean {
  return ranges.some((r) => r.type === 'application/json' || r.type === '*/*' || r.type === 'application/*');
}

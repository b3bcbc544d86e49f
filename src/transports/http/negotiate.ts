/** Accept parsing; media types are parsed by endpoints' one parser. */
import { parseMediaType, type MediaRange } from '../../endpoints/request/media-type.js';

export type { MediaRange };

/** Parses an Accept header (missing → `*\/*`). */
export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [{ type: '*/*', params: {} }];
  return header.split(',').map((s) => parseMediaType(s)).filter((m) => m.type.length > 0);
}

/** Whether a plain JSON answer is acceptable. */
export function acceptsJson(ranges: MediaRange[]): boolean {
  return ranges.some((r) => r.type === 'application/json' || r.type === '*/*' || r.type === 'application/*');
}

/**
 * PEM blocks read as Go's encoding/pem Decode reads them (the library upstream validates
 * PEM fields with): text around and between blocks is skipped, a malformed block is passed
 * over and the search goes on after its BEGIN line, `Key: value` lines right after the BEGIN
 * line are headers, and the body is standard base64 with spaces, tabs and line breaks ignored.
 */

/** One decoded block. */
export interface PemBlock {
  type: string;
  headers: Record<string, string>;
  bytes: Buffer;
}

const BEGIN = '\n-----BEGIN ';
const END = '\n-----END ';
const DASHES = '-----';

/** The first line of `data` (trailing spaces, tabs and CR dropped) and what follows its newline. */
function getLine(data: string): [line: string, rest: string] {
  let i = data.indexOf('\n');
  let j: number;
  if (i < 0) {
    i = data.length;
    j = i;
  } else {
    j = i + 1;
    if (i > 0 && data[i - 1] === '\r') i--;
  }
  return [data.slice(0, i).replace(/[ \t]+$/, ''), data.slice(j)];
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeBase64(text: string): Buffer | undefined {
  const clean = text.replace(/[ \t\r\n]/g, '');
  return BASE64.test(clean) ? Buffer.from(clean, 'base64') : undefined;
}

/** The first well-formed block of `data` and the text after it, or undefined when there is none. */
export function decodePem(data: string): { block: PemBlock; rest: string } | undefined {
  let rest = data;
  for (;;) {
    if (rest.startsWith(BEGIN.slice(1))) rest = rest.slice(BEGIN.length - 1);
    else {
      const at = rest.indexOf(BEGIN);
      if (at < 0) return undefined;
      rest = rest.slice(at + BEGIN.length);
    }
    let typeLine: string;
    [typeLine, rest] = getLine(rest);
    if (!typeLine.endsWith(DASHES)) continue;
    const type = typeLine.slice(0, -DASHES.length);
    const headers: Record<string, string> = {};
    let truncated = false;
    for (;;) {
      if (rest.length === 0) {
        truncated = true;
        break;
      }
      const [line, next] = getLine(rest);
      const colon = line.indexOf(':');
      if (colon < 0) break;
      headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
      rest = next;
    }
    // A block cut off in its headers ends the search, as Go's Decode gives up there.
    if (truncated) return undefined;
    let endIndex: number;
    let trailerIndex: number;
    if (Object.keys(headers).length === 0 && rest.startsWith(END.slice(1))) {
      endIndex = 0;
      trailerIndex = END.length - 1;
    } else {
      endIndex = rest.indexOf(END);
      trailerIndex = endIndex + END.length;
    }
    if (endIndex < 0) continue;
    const trailer = rest.slice(trailerIndex);
    const trailerLen = type.length + DASHES.length;
    if (trailer.length < trailerLen) continue;
    if (trailer.slice(0, trailerLen) !== type + DASHES) continue;
    if (getLine(trailer.slice(trailerLen))[0].length !== 0) continue;
    const bytes = decodeBase64(rest.slice(0, endIndex));
    if (!bytes) continue;
    return { block: { type, headers, bytes }, rest: getLine(rest.slice(endIndex + END.length - 1))[1] };
  }
}

/** Every block of `data`, in order. */
export function decodeAllPem(data: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  let rest = data;
  for (let next = decodePem(rest); next; next = decodePem(rest)) {
    blocks.push(next.block);
    rest = next.rest;
  }
  return blocks;
}

/**
 * A minimal protobuf wire-format editor for oracles: copies a message byte for byte and
 * replaces one length-delimited field found by a path of field numbers, re-emitting only
 * the lengths that enclose it. Independent of the schema codec under test.
 */

function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos++]!;
    result += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [result, pos];
    shift += 7;
  }
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

/** `message` with the length-delimited field at `path` (field numbers, outermost first) set to `value`. */
export function replaceField(message: Uint8Array, path: number[], value: Uint8Array): Uint8Array {
  const [field, ...rest] = path;
  const out: number[] = [];
  let pos = 0;
  let found = false;
  while (pos < message.length) {
    const start = pos;
    const [tag, afterTag] = readVarint(message, pos);
    pos = afterTag;
    const wire = tag & 7;
    if (wire === 0) pos = readVarint(message, pos)[1];
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const [len, afterLen] = readVarint(message, pos);
      const body = message.subarray(afterLen, afterLen + len);
      pos = afterLen + len;
      if (tag >>> 3 === field && !found) {
        found = true;
        const replaced = rest.length ? replaceField(body, rest, value) : value;
        out.push(...varint(tag), ...varint(replaced.length), ...replaced);
        continue;
      }
    } else throw new Error(`unsupported wire type ${wire}`);
    out.push(...message.subarray(start, pos));
  }
  if (!found) throw new Error(`field ${field} not found`);
  return Uint8Array.from(out);
}

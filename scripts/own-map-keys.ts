/**
 * A step of `npm run generate`, after ts-proto: map entries keep a `__proto__` key as data.
 * ts-proto writes map entries as `map[key] = value`, which for the key `__proto__` sets the
 * map object's prototype instead (the entry vanishes: a ConfigMap data key `__proto__` was
 * lost on every protobuf decode, storage and gRPC alike). This rewrites those assignments so
 * that one key is defined as an own property, as Go's maps hold it; other keys are untouched.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const GEN = new URL('../gen/', import.meta.url).pathname;
const own = (target: string, key: string, value: string): string =>
  `if (${key} === "__proto__") Object.defineProperty(${target}, ${key}, { value: ${value}, enumerable: true, configurable: true, writable: true }); else ${target}[${key}] = ${value};`;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

let rewritten = 0;
for (const file of files(GEN)) {
  const text = readFileSync(file, 'utf8');
  const next = text
    // decode: `message.labels[entry3.key] = entry3.value;`
    .replace(/(message\.\w+)\[(entry\d+)\.key\] = \2\.value;/g, (_, target: string, entry: string) => {
      rewritten++;
      return own(target, `${entry}.key`, `${entry}.value`);
    })
    // fromPartial: `acc[key] = globalThis.String(value);`
    .replace(/\bacc\[key\] = ([^;\n]+);/g, (_, value: string) => {
      rewritten++;
      return own('acc', 'key', value);
    });
  if (next !== text) writeFileSync(file, next);
}
console.log(`own-map-keys: ${rewritten} map assignments`);

/**
 * The protoc plugin `buf generate` runs: ts-proto, then one rewrite of its output, so that map
 * entries keep a `__proto__` key as data. ts-proto writes map entries as `map[key] = value`,
 * which for the key `__proto__` sets the map object's prototype instead (the entry vanishes: a
 * ConfigMap data key `__proto__` was lost on every protobuf decode, storage and gRPC alike).
 * The rewrite defines that one key as an own property, as Go's maps hold it; other keys are
 * untouched. Being part of the plugin, it is what `buf generate` itself produces.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { CodeGeneratorResponseSchema } from '@bufbuild/protobuf/wkt';

const TS_PROTO = new URL('../node_modules/.bin/protoc-gen-ts_proto', import.meta.url).pathname;

const own = (target: string, key: string, value: string): string =>
  `if (${key} === "__proto__") Object.defineProperty(${target}, ${key}, { value: ${value}, enumerable: true, configurable: true, writable: true }); else ${target}[${key}] = ${value};`;

/** The rewritten text of one generated file. */
export function ownMapKeys(text: string): string {
  return (
    text
      // decode: `message.labels[entry3.key] = entry3.value;`
      .replace(/(message\.\w+)\[(entry\d+)\.key\] = \2\.value;/g, (_, target: string, entry: string) => own(target, `${entry}.key`, `${entry}.value`))
      // fromPartial: `acc[key] = globalThis.String(value);`
      .replace(/\bacc\[key\] = ([^;\n]+);/g, (_, value: string) => own('acc', 'key', value))
  );
}

const request = readFileSync(0);
const generated = spawnSync(TS_PROTO, [], { input: request, maxBuffer: 1 << 30 });
if (generated.status !== 0) {
  process.stderr.write(generated.stderr);
  process.exit(generated.status ?? 1);
}
const response = fromBinary(CodeGeneratorResponseSchema, generated.stdout);
for (const file of response.file) file.content = ownMapKeys(file.content);
process.stdout.write(toBinary(CodeGeneratorResponseSchema, response));

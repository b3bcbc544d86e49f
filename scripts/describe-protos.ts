/**
 * Writes the descriptions of scripts/descriptions/*.json as leading comments on the
 * messages and fields of proto/k8s/io/**: the text `kubectl explain` and OpenAPI show
 * (scripts/gen-schema.ts reads the comments back from the descriptor's source info).
 *
 * Each data file maps a message full name to an object of descriptions: the key "" is
 * the message's own, every other key is a proto field name. For every described element
 * the comment block directly above it (no blank line between) is replaced, so reruns are
 * idempotent and editing a description only touches its comment lines. A name in the data
 * that matches nothing in proto/ is an error, so stale entries cannot pile up.
 *
 * `tsx scripts/describe-protos.ts` rewrites the protos; `--check` only reports drift.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

type Descriptions = Record<string, Record<string, string>>;

const WIDTH = 100;

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dataDir = join(root, "scripts", "descriptions");
const protoDir = join(root, "proto", "k8s");

function loadDescriptions(): Descriptions {
  const all: Descriptions = {};
  for (const file of readdirSync(dataDir).filter((f) => f.endsWith(".json")).sort()) {
    const data = JSON.parse(readFileSync(join(dataDir, file), "utf8")) as Descriptions;
    for (const [message, entries] of Object.entries(data)) {
      if (all[message]) throw new Error(`${file}: ${message} is described in two files`);
      all[message] = entries;
    }
  }
  return all;
}

function protoFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...protoFiles(path));
    else if (entry.name.endsWith(".proto")) out.push(path);
  }
  return out.sort();
}

/** Comment lines of one description, wrapped to WIDTH with the element's indentation. */
function commentLines(text: string, indent: string): string[] {
  const lines: string[] = [];
  const paragraphs = text.split(/\n\s*\n/);
  paragraphs.forEach((paragraph, i) => {
    if (i > 0) lines.push(`${indent}//`);
    let line = "";
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line && indent.length + 3 + line.length + 1 + word.length > WIDTH) {
        lines.push(`${indent}// ${line}`);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    if (line) lines.push(`${indent}// ${line}`);
  });
  return lines;
}

const MESSAGE = /^(\s*)message\s+(\w+)\s*\{/;
const FIELD = /^(\s*)(?:optional\s+|repeated\s+)?(?:map<[^>]+>|[\w.]+)\s+(\w+)\s*=\s*\d+/;

/** Rewrites one proto file's text; records every described element it found in `used`. */
function describeFile(text: string, descriptions: Descriptions, used: Set<string>): string {
  const pkg = /^package\s+([\w.]+)\s*;/m.exec(text)?.[1] ?? "";
  const out: string[] = [];
  const stack: Array<{ name: string; depth: number }> = [];
  let depth = 0;
  for (const line of text.split("\n")) {
    const code = line.replace(/\/\/.*$/, "").replace(/"(?:[^"\\]|\\.)*"/g, '""');
    let description: string | undefined;
    let indent = "";
    let key = "";
    const message = MESSAGE.exec(code);
    if (message) {
      const fullName = [pkg, ...stack.map((s) => s.name), message[2]!].join(".");
      indent = message[1]!;
      key = `${fullName}#`;
      description = descriptions[fullName]?.[""];
    } else if (stack.length > 0 && depth === stack[stack.length - 1]!.depth) {
      const field = FIELD.exec(code);
      if (field && !/^\s*(reserved|option)\b/.test(code)) {
        const fullName = [pkg, ...stack.map((s) => s.name)].join(".");
        indent = field[1]!;
        key = `${fullName}#${field[2]!}`;
        description = descriptions[fullName]?.[field[2]!];
      }
    }
    if (description !== undefined) {
      used.add(key);
      while (out.length > 0 && /^\s*\/\//.test(out[out.length - 1]!)) out.pop();
      out.push(...commentLines(description, indent));
    }
    out.push(line);
    if (message) stack.push({ name: message[2]!, depth: depth + 1 });
    for (const ch of code) {
      if (ch === "{") depth++;
      else if (ch === "}") {
        depth--;
        if (stack.length > 0 && depth < stack[stack.length - 1]!.depth) stack.pop();
      }
    }
  }
  return out.join("\n");
}

function main(): void {
  const check = process.argv.includes("--check");
  const descriptions = loadDescriptions();
  const used = new Set<string>();
  const rewritten: Array<{ file: string; text: string }> = [];
  for (const file of protoFiles(protoDir)) {
    const before = readFileSync(file, "utf8");
    const after = describeFile(before, descriptions, used);
    if (after !== before) rewritten.push({ file, text: after });
  }
  const drift = rewritten.map((r) => relative(root, r.file));
  const stale: string[] = [];
  for (const [message, entries] of Object.entries(descriptions)) {
    for (const field of Object.keys(entries)) {
      if (!used.has(`${message}#${field}`)) stale.push(field ? `${message}.${field}` : message);
    }
  }
  if (stale.length > 0) {
    process.stderr.write(`describe-protos: described but not in proto/:\n  ${stale.join("\n  ")}\n`);
    process.exit(1);
  }
  if (check && drift.length > 0) {
    process.stderr.write(`describe-protos: out of date: ${drift.join(", ")}\n`);
    process.exit(1);
  }
  if (!check) for (const { file, text } of rewritten) writeFileSync(file, text);
  process.stdout.write(`describe-protos: ${used.size} descriptions${drift.length ? `, rewrote ${drift.join(", ")}` : ""}\n`);
}

main();

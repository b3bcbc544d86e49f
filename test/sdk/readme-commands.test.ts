/**
 * The README's "SDKs in other languages" shows, word for word, the commands the SDK tests
 * generate stubs with (test/sdk/generate.ts), so what users copy is what CI runs.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { GO_COMMAND, PYTHON_COMMAND, REPO_ROOT } from './generate.js';

/** The README section's shell blocks, their list-item indentation removed. */
function readmeShellBlocks(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## SDKs in other languages\n');
  assert.ok(start >= 0, 'the README has a section "SDKs in other languages"');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^( *)```sh\n([\s\S]*?)^\1```$/gm)].map(([, indent, body]) =>
    (body as string)
      .split('\n')
      .map((line) => (line.startsWith(indent as string) ? line.slice((indent as string).length) : line))
      .join('\n'),
  );
}

test('the README shows the Python and Go generation commands the SDK tests run', () => {
  const blocks = readmeShellBlocks();
  assert.equal(blocks.length, 2);
  assert.ok(blocks[0]!.startsWith(`OUT=$PWD/sdk/python; mkdir -p "$OUT"\n${PYTHON_COMMAND}\n`), `Python block:\n${blocks[0]}`);
  assert.ok(blocks[1]!.startsWith(`OUT=$PWD/sdk/go/src; mkdir -p "$OUT"\n${GO_COMMAND}\n`), `Go block:\n${blocks[1]}`);
});

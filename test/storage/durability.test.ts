import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createEmbeddedBackend } from '../../src/storage/embedded/index.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Run the writer with `concurrency` writers, kill -9 it mid-stream, and check every acknowledged write. */
async function killAndCheck(concurrency: number, minAcks: number): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'wheelhouse-durable-'));
  const acked = new Map<string, number>();
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixtures', 'durable-writer.ts'), dataDir, String(concurrency)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  try {
    let buf = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`writer too slow: ${acked.size} acks; stderr: ${stderr}`)), 30_000);
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop()!;
        for (const line of lines) {
          const [, key, rev] = line.split(' ');
          acked.set(key!, Number(rev));
        }
        // Kill mid-stream, while writes are in flight.
        if (acked.size >= minAcks) {
          clearTimeout(timer);
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.once('exit', () => reject(new Error(`writer exited early; stderr: ${stderr}`)));
    });
    assert.equal(await exited, 'SIGKILL');

    const backend = createEmbeddedBackend({ dataDir });
    try {
      const maxAcked = Math.max(...acked.values());
      assert.ok((await backend.currentRevision()) >= maxAcked);
      for (const [key, rev] of acked) {
        const { kv } = await backend.get(key);
        assert.ok(kv, `acknowledged write ${key}@${rev} is missing`);
        assert.equal(kv.modRevision, rev);
        assert.equal(new TextDecoder().decode(kv.value), `value-${key.slice(key.lastIndexOf('k') + 1)}`);
      }
      // The store is still writable and revisions keep increasing.
      assert.ok((await backend.create('/registry/durable/after', new Uint8Array([1]))) > maxAcked);
    } finally {
      await backend.close();
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

it('every write acknowledged before kill -9 is present after reopening', () => killAndCheck(1, 300));

it('every group-committed write acknowledged before kill -9 is present after reopening', () => killAndCheck(32, 1000));

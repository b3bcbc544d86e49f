/**
 * `npm start -- --simulated-nodes 3 --controllers=none` as a user runs it: kubectl sees three
 * Ready nodes, and a pod pinned to one runs there (1/1 Running) with an IP from that node's range.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../helpers/eventually.js';
import { runKubectl } from '../helpers/kubectl.js';
import { startServerProcess, type ServerProcess } from '../helpers/process.js';
import { OPEN_ACCESS_FLAGS } from '../helpers/server.js';

const KUBECTL = 33;

describe('npm start --simulated-nodes', () => {
  let dir: string;
  let server: ServerProcess;
  let kubeconfig: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wheelhouse-simnodes-'));
    server = await startServerProcess(['--data-dir', join(dir, 'data'), '--port', '0', '--grpc-port', '0', '--simulated-nodes', '3', '--controllers=none', ...OPEN_ACCESS_FLAGS]);
    kubeconfig = join(dir, 'data', 'kubeconfig');
  });

  after(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('registers three Ready nodes that run a pinned pod', async () => {
    let out = '';
    await eventually('three Ready nodes', async () => {
      const r = await runKubectl(KUBECTL, kubeconfig, ['get', 'nodes', '--no-headers', '-o', 'custom-columns=NAME:.metadata.name,STATUS:.status.conditions[?(@.type=="Ready")].status']);
      out = r.stdout;
      return r.code === 0 && out.trim().split('\n').filter((l) => /\sTrue$/.test(l)).length === 3;
    }, 30_000);
    assert.deepEqual(out.trim().split('\n').map((l) => l.split(/\s+/)), [['node-1', 'True'], ['node-2', 'True'], ['node-3', 'True']]);

    const run = await runKubectl(KUBECTL, kubeconfig, ['run', 'web', '--image=nginx', '--overrides={"spec":{"nodeName":"node-3"}}']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'pod/web created');
    let row: string[] = [];
    await eventually('web Running', async () => {
      const r = await runKubectl(KUBECTL, kubeconfig, ['get', 'pod', 'web', '--no-headers', '-o', 'wide']);
      row = r.stdout.trim().split(/\s+/);
      return row[2] === 'Running';
    }, 20_000);
    assert.deepEqual([row[0], row[1], row[2], row[3], row[5], row[6]], ['web', '1/1', 'Running', '0', '10.128.3.2', 'node-3']);
  });
});

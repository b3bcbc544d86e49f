/**
 * gRPC services, health and reflection follow the catalog while the server runs: a
 * resource version served later gets its service at once, and loses it when it is no
 * longer served.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { type ServiceError } from '@grpc/grpc-js';
import { HealthClient } from '../../gen/grpc/health/v1/health.js';
import { CronJobServiceClient } from '../../gen/wheelhouse/batch/v1beta1/services.js';
import { cronJobs } from '../../src/registry/batch/cronjobs.js';
import { createGenericStore } from '../../src/registry/generic/store.js';
import { versionView } from '../../src/registry/generic/version-view.js';
import { servedViews } from '../../src/registry/rest/served.js';
import { createObjectStore } from '../../src/storage/object-store.js';
import { startTestServer, type TestServer, grpcCredentials, bufCurlTarget } from '../helpers/server.js';
import { unary } from '../parity/grpc-helpers.js';

const run = promisify(execFile);
const BUF = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'buf');
const SERVICE = 'wheelhouse.batch.v1beta1.CronJobService';

describe('gRPC follows the catalog', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer({ runtimeConfig: 'batch/v1beta1=false' });
  });
  after(async () => ts.stop());

  const listed = async (): Promise<boolean> => {
    const { stdout } = await run(BUF, ['curl', '--protocol', 'grpc', ...bufCurlTarget(ts.server).flags, '--list-services', `${bufCurlTarget(ts.server).base}`]);
    return stdout.split('\n').includes(SERVICE);
  };
  const listCronJobs = async (): Promise<{ code?: number; items?: number }> => {
    const client = new CronJobServiceClient(ts.server.grpcAddress, grpcCredentials(ts.server));
    try {
      const reply = await unary<{ items: unknown[] }>((cb) => client.list({ namespace: 'default' }, cb));
      return { items: reply.items.length };
    } catch (err) {
      return { code: (err as ServiceError).code };
    } finally {
      client.close();
    }
  };
  const healthOf = async (service: string): Promise<number | undefined> => {
    const client = new HealthClient(ts.server.grpcAddress, grpcCredentials(ts.server));
    try {
      return (await unary<{ status: number }>((cb) => client.check({ service }, cb))).status;
    } catch (err) {
      return -(err as ServiceError).code;
    } finally {
      client.close();
    }
  };

  it('adds and removes a resource service, its health and its reflection entry', async () => {
    assert.equal(await listed(), false);
    assert.deepEqual(await listCronJobs(), { code: 12 }); // UNIMPLEMENTED
    assert.equal(ts.server.catalog.resource('batch', 'v1beta1', 'cronjobs'), undefined);

    const storage = createGenericStore(cronJobs, { store: createObjectStore(ts.server.backend), prefix: '/registry' });
    const beta = servedViews(cronJobs).find((v) => v.version === 'v1beta1');
    assert.ok(beta);
    const unregister = ts.server.catalog.register([versionView(storage, beta)]);
    assert.equal(await listed(), true);
    assert.deepEqual(await listCronJobs(), { items: 0 });
    assert.equal(await healthOf(SERVICE), 1); // SERVING
    assert.ok(ts.server.grpcServices().includes(SERVICE));

    unregister();
    assert.equal(await listed(), false);
    assert.deepEqual(await listCronJobs(), { code: 12 });
    assert.equal(await healthOf(SERVICE), 2); // NOT_SERVING
    assert.ok(!ts.server.grpcServices().includes(SERVICE));
  });
});

/** Hostile paths, names and methods: upstream's path-segment rules, 404/405 Status, malformed HTTP. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertHealthy, assertStatus, failure, rawExchange, request, useServerWithTarget } from './helpers.js';

const CM = '/api/v1/namespaces/default/configmaps';
const NOT_FOUND = 'the server could not find the requested resource';

describe('robustness: names, paths and methods', () => {
  const server = useServerWithTarget();

  describe('names as path segments', () => {
    const invalidName = (name: string, problems: string): string => `Name parameter invalid: ${JSON.stringify(name)}: ${problems}`;

    it("400s '.' and '..' as names for every verb", async () => {
      for (const [segment, problem] of [['.', "may not be '.'"], ['..', "may not be '..'"]] as const) {
        const message = invalidName(segment, problem);
        assertStatus(await request(server().server, 'GET', `${CM}/${segment}`), 400, 'BadRequest', message);
        assertStatus(await request(server().server, 'DELETE', `${CM}/${segment}`), 400, 'BadRequest', message);
        const put = await request(server().server, 'PUT', `${CM}/${segment}`, JSON.stringify({ metadata: { name: segment } }));
        assertStatus(put, 400, 'BadRequest', message);
        const patch = await request(server().server, 'PATCH', `${CM}/${segment}`, '{"data":{"a":"b"}}', { 'content-type': 'application/merge-patch+json' });
        assertStatus(patch, 400, 'BadRequest', message);
        assertStatus(await request(server().server, 'GET', `/api/v1/namespaces/${segment}`), 400, 'BadRequest', message);
      }
    });

    it("400s names with a percent-encoded '/' or '%' instead of aliasing another key", async () => {
      const cases: Array<[string, string, string]> = [
        ['a%2Fb', 'a/b', "may not contain '/'"],
        ['a%25b', 'a%b', "may not contain '%'"],
        ['a%2F%25', 'a/%', "may not contain '/';may not contain '%'"],
        ['..%2F..%2Fsecrets%2Fx', '../../secrets/x', "may not contain '/'"],
      ];
      for (const [encoded, decoded, problems] of cases) {
        assertStatus(await request(server().server, 'GET', `${CM}/${encoded}`), 400, 'BadRequest', invalidName(decoded, problems));
        assertStatus(await request(server().server, 'GET', `${CM}/${encoded}?watch=1`), 400, 'BadRequest', invalidName(decoded, problems));
      }
    });

    it('404s over-long and unicode names on reads and 422s them on create', async () => {
      const long = 'x'.repeat(300);
      const get = await request(server().server, 'GET', `${CM}/${long}`);
      assert.deepEqual(get.body, failure(404, 'NotFound', `configmaps "${long}" not found`, { name: long, kind: 'configmaps' }));
      const unicode = await request(server().server, 'GET', `${CM}/${encodeURIComponent('été☃')}`);
      assert.deepEqual(unicode.body, failure(404, 'NotFound', 'configmaps "été☃" not found', { name: 'été☃', kind: 'configmaps' }));
      const create = await request(server().server, 'POST', CM, JSON.stringify({ metadata: { name: long } }));
      assertStatus(create, 422, 'Invalid', /^ConfigMap "x{300}" is invalid: metadata\.name: Invalid value: "x{300}": must be no more than 253 characters$/);
      const createUnicode = await request(server().server, 'POST', CM, JSON.stringify({ metadata: { name: 'été' } }));
      assertStatus(createUnicode, 422, 'Invalid', /^ConfigMap "été" is invalid: metadata\.name: Invalid value: "été": a lowercase RFC 1123 subdomain/);
      const slash = await request(server().server, 'POST', CM, JSON.stringify({ metadata: { name: 'a/b' } }));
      assertStatus(slash, 422, 'Invalid', /^ConfigMap "a\/b" is invalid: metadata\.name: Invalid value: "a\/b": /);
    });

    it("400s a namespace segment that decodes to '/' or a reserved name", async () => {
      assertStatus(
        await request(server().server, 'GET', '/api/v1/namespaces/a%2Fb/configmaps'),
        400,
        'BadRequest',
        `Namespace parameter invalid: "a/b": may not contain '/'`,
      );
      assertStatus(
        await request(server().server, 'GET', '/api/v1/namespaces/..%2Fkube-system/configmaps/x'),
        400,
        'BadRequest',
        `Namespace parameter invalid: "../kube-system": may not contain '/'`,
      );
      assertStatus(await request(server().server, 'GET', '/api/v1/namespaces/../configmaps'), 400, 'BadRequest', `Namespace parameter invalid: "..": may not be '..'`);
      const post = await request(server().server, 'POST', '/api/v1/namespaces/default%2Fx/configmaps', JSON.stringify({ metadata: { name: 'n' } }));
      assert.equal(post.status >= 400 && post.status < 500, true, `got ${post.status}`);
      assert.equal((await request(server().server, 'GET', `${CM}/n`)).status, 404);
    });

    it('400s a malformed percent-escape instead of failing with a 500', async () => {
      assertStatus(await request(server().server, 'GET', `${CM}/%zz`), 400, 'BadRequest', 'invalid URL escape in path segment "%zz"');
      assertStatus(await request(server().server, 'GET', `${CM}/%E0%A4%A`), 400, 'BadRequest', 'invalid URL escape in path segment "%E0%A4%A"');
    });
  });

  describe('path shapes', () => {
    it('404s traversal attempts without touching storage', async () => {
      for (const path of [`${CM}/../../../../etc/passwd`, '/../../etc/passwd', '/api/v1/namespaces/default/configmaps/target/../../secrets', '/api/../../etc']) {
        assertStatus(await request(server().server, 'GET', path), 404, 'NotFound', NOT_FOUND);
      }
    });

    it('serves one trailing slash like upstream and 404s double slashes', async () => {
      const list = await request(server().server, 'GET', `${CM}/`);
      assert.equal(list.status, 200);
      assert.equal(list.body.kind, 'ConfigMapList');
      const item = await request(server().server, 'GET', `${CM}/target/`);
      assert.equal(item.status, 200);
      assert.equal(item.body.metadata.name, 'target');
      for (const path of ['/api/v1//namespaces/default/configmaps', `${CM}//target`, '/api/v1/namespaces//configmaps', `${CM}/target//`, '//api/v1/namespaces']) {
        assertStatus(await request(server().server, 'GET', path), 404, 'NotFound', NOT_FOUND);
      }
    });

    it('404s unknown subresources, versions and groups; serves the group document', async () => {
      for (const path of [
        `${CM}/target/foo`,
        '/api/v1/namespaces/default/pods/p/foo',
        '/api/v1/namespaces/default/pods/p/status/extra',
        '/api/v2',
        '/api/v2/configmaps',
        '/api/v2/namespaces/default/configmaps',
        '/apis/nope',
        '/apis/apps/v9',
        '/apis/apps/v1/nope',
        '/apis/apps/v1/namespaces/default/configmaps',
        '/api/v1/nope',
      ]) {
        assertStatus(await request(server().server, 'GET', path), 404, 'NotFound', NOT_FOUND);
      }
      for (const path of ['/apis/apps', '/apis/apps/']) {
        const group = await request(server().server, 'GET', path);
        assert.equal(group.status, 200);
        assert.equal(group.body.kind, 'APIGroup');
        assert.equal(group.body.name, 'apps');
        assert.equal(group.body.preferredVersion.groupVersion, 'apps/v1');
      }
    });
  });

  describe('methods', () => {
    it('405s methods outside the Kubernetes verbs with a Status', async () => {
      for (const method of ['OPTIONS', 'TRACE', 'PROPFIND', 'MKCOL']) {
        const r = await request(server().server, method, CM);
        assert.deepEqual(r.body, failure(405, 'MethodNotAllowed', `${method} is not supported on resources of kind "configmaps"`, { kind: 'configmaps' }));
        assert.equal(r.status, 405);
        const item = await request(server().server, method, `${CM}/target`);
        assert.equal(item.status, 405);
      }
    });

    it('answers HEAD like GET without a body', async () => {
      const r = await request(server().server, 'HEAD', `${CM}/target`);
      assert.equal(r.status, 200);
      assert.equal(r.text, '');
      assert.equal((await request(server().server, 'HEAD', `${CM}/missing`)).status, 404);
    });
  });

  describe('malformed HTTP on raw sockets', () => {
    it('400s garbage request lines and headers; the server keeps serving', async () => {
      const replies = await Promise.all([
        rawExchange(server().server, 'NOT HTTP AT ALL\r\n\r\n'),
        rawExchange(server().server, 'GET /api HTTP/9.9\r\n\r\n'),
        rawExchange(server().server, 'GET /api HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'),
        rawExchange(server().server, `POST ${CM} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnope\r\n\r\n`),
        rawExchange(server().server, `POST ${CM} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n{}`),
        rawExchange(server().server, '\u0000\u0001\u0002\u00ff\r\n\r\n'),
      ]);
      for (const reply of replies) assert.match(reply, /^HTTP\/1\.1 400 Bad Request\r\n/);
      await assertHealthy(server().server);
    });

    it('431s oversized headers', async () => {
      const reply = await rawExchange(server().server, `GET /api HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`);
      assert.match(reply, /^HTTP\/1\.1 431 /);
    });

    it('survives clients that send half a body or half a request and hang up', async () => {
      const half = (bytes: string): Promise<void> =>
        rawExchange(server().server, bytes, 150).then((reply) => assert.equal(reply, ''));
      await Promise.all([
        half(`POST ${CM} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"metadata":`),
        half(`PUT ${CM}/target HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`),
        half('GET /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nAccept: appl'),
        half(`POST ${CM} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"met`),
      ]);
      await assertHealthy(server().server);
      const got = await request(server().server, 'GET', `${CM}/target`);
      assert.deepEqual(got.body.data, { k: 'v' });
      assert.equal((await request(server().server, 'GET', CM)).body.items.length, 1);
    });
  });
});

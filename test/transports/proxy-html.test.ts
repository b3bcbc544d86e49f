/**
 * The proxy's link rewriting (upstream's proxy transport): which links get the proxy
 * prefix, and the streaming HTML rewrite, plain and gzip/deflate-encoded, keeping every
 * untouched byte.
 */
import { Readable, Writable, pipeline } from 'node:stream';
import zlib from 'node:zlib';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { htmlLinkRewriter, isHtml, rewriteLink, type LinkContext } from '../../src/transports/http/proxy-html.js';

const P = '/api/v1/namespaces/ns/services/web:http/proxy';
const ctx: LinkContext = { prefix: P, backendHost: '10.1.2.3:8080', requestHost: 'api.example:6443' };

function run(input: Buffer[], encoding?: string): Promise<Buffer> {
  const stages = htmlLinkRewriter(encoding, ctx);
  assert.ok(stages, `encoding ${encoding} is rewritten`);
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      out.push(chunk);
      done();
    },
  });
  return new Promise((resolve, reject) => pipeline([Readable.from(input), ...stages, sink], (err) => (err ? reject(err) : resolve(Buffer.concat(out)))));
}

describe('proxy link rewriting', () => {
  it('prefixes rooted paths and same-host absolute URLs, leaves the rest', () => {
    const cases: Array<[string, string]> = [
      ['/', `${P}/`],
      ['/style.css', `${P}/style.css`],
      ['/a/b/?q=1#frag', `${P}/a/b/?q=1#frag`],
      ['/a/../b', `${P}/b`],
      ['/x//y/', `${P}/x/y/`],
      ['http://10.1.2.3:8080/app.js?v=2', `${P}/app.js?v=2`],
      ['https://10.1.2.3:8080/', `${P}/`],
      ['//10.1.2.3:8080/img.png', `${P}/img.png`],
      ['http://user@10.1.2.3:8080/u', `${P}/u`],
      // The client's own host keeps its scheme and host.
      ['https://api.example:6443/dash', `https://api.example:6443${P}/dash`],
      // Already under the prefix: as it is.
      [`${P}/already`, `${P}/already`],
      // Relative links resolve under the proxied page by themselves.
      ['style.css', 'style.css'],
      ['./a', './a'],
      ['../up', '../up'],
      ['?q=1', '?q=1'],
      ['#top', '#top'],
      ['', ''],
      // Other hosts and non-hierarchical schemes are not the backend's.
      ['http://10.1.2.3:9999/other-port', 'http://10.1.2.3:9999/other-port'],
      ['https://cdn.example/lib.js', 'https://cdn.example/lib.js'],
      ['//cdn.example/lib.js', '//cdn.example/lib.js'],
      ['mailto:someone@example.com', 'mailto:someone@example.com'],
      ['javascript:void(0)', 'javascript:void(0)'],
      ['data:image/png;base64,AAAA', 'data:image/png;base64,AAAA'],
      // Serialized as upstream does: characters a URL may not carry are escaped, valid escapes kept.
      ['/redirected/target/%00<script>alert(1)</script>/', `${P}/redirected/target/%00%3Cscript%3Ealert%281%29%3C/script%3E/`],
      ['http://example.com/t/%00<script>alert(1)</script>/', 'http://example.com/t/%00%3Cscript%3Ealert%281%29%3C/script%3E/'],
      ['https://api.example:6443/t/<x>', `https://api.example:6443${P}/t/%3Cx%3E`],
      ['/caf%C3%A9/a%2Fb', `${P}/caf%C3%A9/a/b`], // Go joins the decoded path
      ['/café', `${P}/caf%C3%A9`],
      ['my page.html', 'my%20page.html'],
      ['/(x)!', `${P}/%28x%29%21`],
      ['HTTP://cdn.example/(x)', 'http://cdn.example/(x)'],
      ['http://u:p@10.1.2.3:8080/x', `${P}/x`],
      ['https://u@api.example:6443/x', `https://u@api.example:6443${P}/x`],
      // Unparseable (Go's url.Parse refuses these): left alone.
      ['/bad%zz', '/bad%zz'],
      ['a:b/c', 'a:b/c'],
      ['/bad\u0001', '/bad\u0001'],
    ];
    for (const [input, expected] of cases) assert.equal(rewriteLink(input, ctx), expected, input);
  });

  it('recognizes text/html only', () => {
    assert.equal(isHtml('text/html'), true);
    assert.equal(isHtml('text/html; charset=utf-8'), true);
    assert.equal(isHtml(' text/html ;q=1'), true);
    assert.equal(isHtml('application/xhtml+xml'), false);
    assert.equal(isHtml('text/plain'), false);
    assert.equal(isHtml(undefined), false);
  });

  it('rewrites the URL attributes of an HTML stream and keeps every other byte', async () => {
    const html = [
      '<!DOCTYPE html>\n<html manifest="/app.manifest"><head>',
      '<link rel=stylesheet href="/s.css"><LINK HREF=\'rel.css\' rel="stylesheet">',
      '<script src="/app.js"></script><script>var s = "<a href=\\"/not-an-attribute\\">";</script>',
      '</head><body background="/bg.png"><!-- <a href="/in-comment"> -->',
      '<a href="/about" data-href="/untouched" class=x>about</a>',
      '<img src="http://10.1.2.3:8080/i.png" alt="&quot;q&quot;"><img src="https://cdn.example/x.png">',
      '<form action="/submit"><button formaction="/b">b</button><input type=image src="/in.png"></form>',
      '<video poster="/p.jpg" src="/v.mp4"></video><object data="/o.swf"></object>',
      '<iframe src="/frame"></iframe><svg><a href="/svg-link"></a></svg>',
      '<p title="/not-a-url">é ü 漢字</p></body></html>',
    ].join('');
    const expected = html
      .replace('"/app.manifest"', `"${P}/app.manifest"`)
      .replace('<link rel=stylesheet href="/s.css">', `<link rel="stylesheet" href="${P}/s.css">`)
      .replace('<script src="/app.js">', `<script src="${P}/app.js">`)
      .replace('background="/bg.png"', `background="${P}/bg.png"`)
      .replace('<a href="/about" data-href="/untouched" class=x>', `<a href="${P}/about" data-href="/untouched" class="x">`)
      .replace('<img src="http://10.1.2.3:8080/i.png" alt="&quot;q&quot;">', `<img src="${P}/i.png" alt="&quot;q&quot;">`)
      .replace('action="/submit"', `action="${P}/submit"`)
      .replace('formaction="/b"', `formaction="${P}/b"`)
      .replace('<input type=image src="/in.png">', `<input type="image" src="${P}/in.png">`)
      .replace('<video poster="/p.jpg" src="/v.mp4">', `<video poster="${P}/p.jpg" src="${P}/v.mp4">`)
      .replace('data="/o.swf"', `data="${P}/o.swf"`)
      .replace('<iframe src="/frame">', `<iframe src="${P}/frame">`)
      .replace('<a href="/svg-link">', `<a href="${P}/svg-link">`);
    // Split into small chunks, one in the middle of a multi-byte character and of a tag.
    const bytes = Buffer.from(html);
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7));
    assert.equal((await run(chunks)).toString(), expected);
  });

  it('decodes and re-encodes gzip and deflate bodies; leaves other encodings alone', async () => {
    const html = '<a href="/x">x</a><img src="y.png">';
    const expected = `<a href="${P}/x">x</a><img src="y.png">`;
    const gz = await run([zlib.gzipSync(html)], 'gzip');
    assert.equal(zlib.gunzipSync(gz).toString(), expected);
    const df = await run([zlib.deflateSync(html)], 'deflate');
    assert.equal(zlib.inflateSync(df).toString(), expected);
    assert.equal(htmlLinkRewriter('br', ctx), undefined);
    assert.equal(htmlLinkRewriter('compress', ctx), undefined);
  });
});

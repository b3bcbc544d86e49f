/**
 * The seed's "Kubernetes UI" case, as a person would see it: a small web UI (relative and
 * absolute links, stylesheets, scripts, images, a WebSocket, a redirect, a gzip-encoded
 * page) served by a real HTTP server on loopback and registered as a Service, loaded in
 * headless Chromium (Debian's `chromium`) through the API server's proxy path and through
 * `kubectl proxy`, and checked from the page's own DOM.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { registerService, startKubectlProxy, wsEcho, type KubectlProxy } from '../helpers/proxy-backend.js';

const CHROMIUM = '/usr/bin/chromium';
const NS = 'default';
const PREFIX = `/api/v1/namespaces/${NS}/services/ui:http/proxy`;

// CI installs Debian's chromium (.ci/run): there the test always runs; a bare workstation skips it.
const missing = !existsSync(CHROMIUM);
if (missing && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);

/** A 3×2 SVG image: its natural size shows it really loaded. */
const DOT = '<svg xmlns="http://www.w3.org/2000/svg" width="3" height="2"><rect width="3" height="2" fill="red"/></svg>';

function page(title: string, body: string, head = ''): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title>${head}</head><body>${body}</body></html>`;
}

/** The web UI. Every request it gets is recorded, so the test can tell what reached it. */
function startWebUi(): Promise<{ server: http.Server; port: number; seen: string[] }> {
  const seen: string[] = [];
  let port = 0;
  const files = (): Record<string, [string, string]> => ({
    '/': [
      'text/html; charset=utf-8',
      page(
        'ui',
        [
          '<h1 id="title">Wheelhouse UI</h1><div id="theme">themed</div>',
          '<img id="rel-img" src="img/dot.svg"><img id="abs-img" src="/abs/dot.svg">',
          '<a id="rel-link" href="next.html">next</a>',
          '<a id="abs-link" href="/about/">about</a>',
          `<a id="full-link" href="http://127.0.0.1:${port}/full">full</a>`,
          '<a id="redirect-link" href="go">go</a>',
          '<a id="external" href="https://example.invalid/x">external</a>',
        ].join(''),
        '<link rel="stylesheet" href="style.css"><link rel="stylesheet" href="/abs/theme.css"><script src="app.js"></script><script src="/abs/extra.js"></script>',
      ),
    ],
    '/style.css': ['text/css', '#title { color: rgb(1, 2, 3); }'],
    '/abs/theme.css': ['text/css', '#theme { background-color: rgb(4, 5, 6); }'],
    '/app.js': [
      'application/javascript',
      `document.addEventListener('DOMContentLoaded', () => {
        document.body.dataset.script = 'ran';
        const ws = new WebSocket(new URL('ws', location.href).href.replace(/^http/, 'ws'));
        ws.onopen = () => ws.send('ping');
        ws.onmessage = (e) => { document.body.dataset.ws = e.data; ws.close(); };
        ws.onerror = () => { document.body.dataset.ws = 'error'; };
        fetch('go').then((r) => r.text().then((t) => { document.body.dataset.redirected = new URL(r.url).pathname + ' ' + r.status + ' ' + t.includes('landed'); }));
      });`,
    ],
    '/abs/extra.js': ['application/javascript', 'window.extraLoaded = true;'],
    '/img/dot.svg': ['image/svg+xml', DOT],
    '/abs/dot.svg': ['image/svg+xml', DOT],
    '/next.html': ['text/html', page('next', '<h1 id="where">next</h1><a id="back" href="/">home</a>')],
    '/about/': ['text/html', page('about', '<h1 id="where">about</h1>')],
    '/landing.html': ['text/html', page('landing', '<h1 id="where">landed</h1>')],
  });
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push(url.pathname);
    const file = files()[url.pathname];
    if (url.pathname === '/go') {
      res.writeHead(302, { location: '/landing.html' });
      res.end();
    } else if (url.pathname === '/gz.html') {
      const html = page('gz', '<div id="theme">gz</div><img id="abs-img" src="/abs/dot.svg"><a id="abs-link" href="/about/">a</a>', '<link rel="stylesheet" href="/abs/theme.css">');
      res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
      res.end(zlib.gzipSync(html));
    } else if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not here');
    } else {
      res.writeHead(200, { 'content-type': file[0] });
      res.end(file[1]);
    }
  });
  server.on('upgrade', (req, socket) => {
    seen.push(`upgrade ${req.url}`);
    wsEcho(req, socket);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      port = (server.address() as AddressInfo).port;
      resolve({ server, port, seen });
    }),
  );
}

/** Opens a page and records every request it makes, failing on any that fails or leaves the proxy. */
async function open(browser: Browser, origin: string, path: string): Promise<{ page: Page; problems: string[] }> {
  // The server's certificate comes from the test CA, which Chromium does not know.
  const context = await browser.newContext({ ignoreHTTPSErrors: origin.startsWith('https:') });
  const p = await context.newPage();
  const problems: string[] = [];
  p.on('request', (r) => {
    if (!r.url().startsWith(origin + PREFIX + '/') && r.url() !== origin + path) problems.push(`left the proxy: ${r.url()}`);
  });
  p.on('requestfailed', (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  p.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`);
  });
  p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await p.goto(origin + path, { waitUntil: 'load' });
  return { page: p, problems };
}

/** Everything the UI needs, checked from its DOM. */
async function checkUi(browser: Browser, origin: string, entry: string): Promise<void> {
  const { page: p, problems } = await open(browser, origin, entry);
  assert.equal(new URL(p.url()).pathname, `${PREFIX}/`);
  await p.waitForFunction('document.body.dataset.ws !== undefined && document.body.dataset.redirected !== undefined', undefined, { timeout: 10_000 });
  // Page-side code is a string: the test's TypeScript transform would add helpers the page lacks (and tsc has no DOM types here).
  const dom = await p.evaluate(`(() => {
    const img = (id) => document.getElementById(id).naturalWidth;
    const attr = (id) => document.getElementById(id).getAttribute('href');
    return {
      title: getComputedStyle(document.getElementById('title')).color,
      theme: getComputedStyle(document.getElementById('theme')).backgroundColor,
      script: document.body.dataset.script,
      extra: window.extraLoaded,
      ws: document.body.dataset.ws,
      redirected: document.body.dataset.redirected,
      relImg: img('rel-img'),
      absImg: img('abs-img'),
      relLink: attr('rel-link'),
      absLink: attr('abs-link'),
      fullLink: attr('full-link'),
      external: attr('external'),
    };
  })()`);
  assert.deepEqual(dom as Record<string, unknown>, {
    title: 'rgb(1, 2, 3)', // the relative stylesheet applied
    theme: 'rgb(4, 5, 6)', // the absolute one, rewritten under the prefix
    script: 'ran',
    extra: true,
    ws: 'echo:ping',
    redirected: `${PREFIX}/landing.html 200 true`,
    relImg: 3,
    absImg: 3,
    relLink: 'next.html',
    absLink: `${PREFIX}/about/`,
    fullLink: `${PREFIX}/full`,
    external: 'https://example.invalid/x',
  });

  // Back on the index its script runs again (a WebSocket, and a fetch of `go` that lands on
  // landing.html): let that finish, or the next navigation aborts it and records a failed request.
  const indexSettled = () => p.waitForFunction('document.body.dataset.ws !== undefined && document.body.dataset.redirected !== undefined', undefined, { timeout: 10_000 });
  // Following the links, and a redirect, stays under the prefix.
  await Promise.all([p.waitForURL(`**${PREFIX}/next.html`), p.click('#rel-link')]);
  assert.equal(await p.textContent('#where'), 'next');
  await Promise.all([p.waitForURL(`**${PREFIX}/`), p.click('#back')]);
  await indexSettled();
  await Promise.all([p.waitForURL(`**${PREFIX}/about/`), p.click('#abs-link')]);
  assert.equal(await p.textContent('#where'), 'about');
  await p.goBack();
  await indexSettled();
  await Promise.all([p.waitForURL(`**${PREFIX}/landing.html`), p.click('#redirect-link')]);
  assert.equal(await p.textContent('#where'), 'landed');

  // A gzip-encoded page's absolute links are rewritten too.
  await p.goto(`${origin}${PREFIX}/gz.html`);
  const gz = await p.evaluate(`({
    theme: getComputedStyle(document.getElementById('theme')).backgroundColor,
    img: document.getElementById('abs-img').naturalWidth,
    link: document.getElementById('abs-link').getAttribute('href'),
  })`);
  assert.deepEqual(gz, { theme: 'rgb(4, 5, 6)', img: 3, link: `${PREFIX}/about/` });
  assert.deepEqual(problems, []);
  await p.context().close();
}

describe('a web UI through the proxy, in headless Chromium', { skip: missing ? `${CHROMIUM} is not installed` : false }, () => {
  let ts: TestServer;
  let ui: Awaited<ReturnType<typeof startWebUi>>;
  let browser: Browser;
  let kubectlProxy: KubectlProxy | undefined;

  before(async () => {
    ui = await startWebUi();
    ts = await startTestServer({ proxyAllowLoopback: true });
    await registerService(ts, { namespace: NS, name: 'ui', port: ui.port, portName: 'http' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  });
  after(async () => {
    await browser?.close();
    await kubectlProxy?.stop();
    await ts?.stop();
    ui?.server.close();
  });

  it('loads completely through the API server, from the bare proxy path too', async () => {
    await checkUi(browser, ts.server.url, `${PREFIX}/`);
    // `…/proxy` without its slash moves to `…/proxy/`, where the relative links resolve.
    await checkUi(browser, ts.server.url, PREFIX);
    for (const path of ['/', '/style.css', '/abs/theme.css', '/app.js', '/abs/extra.js', '/img/dot.svg', '/abs/dot.svg', 'upgrade /ws', '/go', '/landing.html', '/next.html', '/about/', '/gz.html']) {
      assert.ok(ui.seen.includes(path), `the UI served ${path}`);
    }
  });

  it('loads completely through kubectl proxy', async () => {
    kubectlProxy = await startKubectlProxy(ts.server.kubeconfigPath);
    await checkUi(browser, `http://127.0.0.1:${kubectlProxy.port}`, `${PREFIX}/`);
    await kubectlProxy.stop();
    kubectlProxy = undefined;
  });
});

/**
 * Layering: imports only go downward.
 *   util → machinery → storage → registry → endpoints → transports → server → cmd
 * `gen/` (generated code) may be imported from any layer; gen never imports src.
 */
const layers = ['util', 'machinery', 'storage', 'registry', 'endpoints', 'transports', 'server', 'cmd'];

const forbidden = layers.map((layer, i) => {
  const higher = layers.slice(i + 1);
  return {
    name: `${layer}-imports-downward-only`,
    comment: `src/${layer} may not import ${higher.join(', ')}`,
    severity: 'error',
    from: { path: `^src/${layer}/` },
    to: { path: `^src/(${higher.join('|')})/` },
  };
}).filter((rule) => rule.to.path !== '^src/()/');

forbidden.push(
  {
    name: 'client-sdk-imports-nothing-server-side',
    comment: 'src/client (wheelhouse/client, the SDK) depends on gen/ and npm packages only',
    severity: 'error',
    from: { path: '^src/client/' },
    to: { path: '^src/', pathNot: '^src/client/' },
  },
  {
    name: 'components-use-the-sdk-only',
    comment: 'src/components (controller manager, scheduler, simulated nodes) reach the server through src/client over gRPC only',
    severity: 'error',
    from: { path: '^src/components/' },
    to: { path: '^src/', pathNot: '^src/(client|components)/' },
  },
  {
    name: 'components-have-no-http-client',
    comment: 'components speak gRPC through the SDK: no HTTP client, no web server, no storage client',
    severity: 'error',
    from: { path: '^src/(components|client)/' },
    to: { path: '^(http|https|http2|undici|express|etcd3|better-sqlite3)$|node_modules/(undici|express|etcd3|better-sqlite3|node-fetch|axios)/', pathNot: 'node_modules/@grpc/' },
  },
  {
    name: 'server-layers-do-not-import-components-or-sdk',
    comment: 'only the command line starts components; the server layers do not depend on them or on the SDK',
    severity: 'error',
    from: { path: '^src/(util|machinery|storage|registry|endpoints|transports|server)/' },
    to: { path: '^src/(client|components)/' },
  },
  {
    name: 'transports-are-siblings',
    comment: 'the HTTP and gRPC transports do not import each other',
    severity: 'error',
    from: { path: '^src/transports/(http|grpc)/' },
    to: { path: '^src/transports/(http|grpc)/', pathNot: '^src/transports/$1/' },
  },
  {
    name: 'transports-do-not-touch-storage-or-registry-internals',
    comment: 'transports see endpoints only; storage and the generic store are below them',
    severity: 'error',
    from: { path: '^src/transports/' },
    to: { path: '^src/(storage|registry/generic)/' },
  },
  {
    name: 'endpoints-see-registry-interfaces-only',
    comment: 'endpoints use registry/rest capability interfaces, never storage or the generic store',
    severity: 'error',
    from: { path: '^src/endpoints/' },
    to: { path: '^src/(storage|registry/generic)/' },
  },
  {
    name: 'no-circular',
    severity: 'error',
    from: {},
    to: { circular: true },
  },
);

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(gen|node_modules)/' },
  },
};

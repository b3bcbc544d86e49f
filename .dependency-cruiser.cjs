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

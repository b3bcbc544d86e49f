/**
 * Oracle: upstream round-trip fixtures (../shared/fixtures/kube-roundtrip) must
 * survive protobuf -> JSON, JSON -> JSON and JSON -> protobuf -> JSON through our
 * schema unchanged. A kind whose message is missing from the schema fails.
 */
import { describe } from 'node:test';
import { itRoundTripsFixture } from './roundtrip-checks.js';
import { SERVED_FIXTURES } from './roundtrip-kinds.js';

for (const { fixture, typeName } of SERVED_FIXTURES) {
  describe(`round trip ${fixture} (${typeName})`, () => {
    itRoundTripsFixture(fixture, typeName);
  });
}

/**
 * CertificateSigningRequest strategies at the store: the PKCS#10 check (RSA and ECDSA
 * signatures verified, tampering refused with Go's wording), the requestor taken from the
 * caller, condition times filled in and carried over, and the binding printer's selector.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { goLabelSelectorString } from '../../src/registry/admissionregistration/rules.js';
import { certificateSigningRequests } from '../../src/registry/certificates/certificatesigningrequests.js';
import { certificateRequestProblem } from '../../src/registry/certificates/pkcs10.js';
import type { CertificateSigningRequest } from '../../gen/kube/certificates-v1.js';
import { type Harness, harness } from './harness.js';

/** PEM requests made by openssl: CN=jane (P-256) and CN=bob (RSA 2048), base64 as JSON carries them. */
const JANE = 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlIWE1IOENBUUF3SFRFTk1Bc0dBMVVFQXd3RWFtRnVaVEVNTUFvR0ExVUVDZ3dEWkdWMk1Ga3dFd1lIS29aSQp6ajBDQVFZSUtvWkl6ajBEQVFjRFFnQUU5cnNISExlOHBMYzZnYzFFNHZqQmR5dGFWb2w2eWpkUWJrWTZtdTFpCnVjZTFnZ3NCTCtIVmhKRVNVbStZQ1FIUUVob09DdTlBaEFudG4yWWlaQlJRWWFBQU1Bb0dDQ3FHU000OUJBTUMKQTBnQU1FVUNJSE5oTWxncTVCQ2lUNXAvWEFXUHNZcTl0RTh6NzF6NEMzK0xZV2t6YmxpVEFpRUF5ZXFtZWVMUgpoL0E0Y2w4YXZzc1QyaVpEOWhISXpGWE5XNjF5aUxqR0NaYz0KLS0tLS1FTkQgQ0VSVElGSUNBVEUgUkVRVUVTVC0tLS0tCg==';
const BOB = 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlJQ1V6Q0NBVHNDQVFBd0RqRU1NQW9HQTFVRUF3d0RZbTlpTUlJQklqQU5CZ2txaGtpRzl3MEJBUUVGQUFPQwpBUThBTUlJQkNnS0NBUUVBc0hqOFgzMUFYdWZTU0JaZTd5MVpOa1ZqNHRXaXNXV3FnQXM5OG5mUnFBOFVtMXRYCmczTXErelQwQ3BTUVU4SC9zVlJ3UXd4R3lzTVlESWNSa0ZETmJBOFFoOW5HT2M4dFJiNFUydU1HTnNUNk9paVEKUFpJcFRJeUZ3cFBzS01zVXhpUlVSOTc2c2ZReUZvMm5PWGI0Y3ZrNHBpb2NMRDNRTzlGaEljZEFPQnk3c2lKRwpqM1hLSkxsZEpQT241akdObHdsdXpXV2NtNTc0a09VRTdrbkpXTGdMWUdsWXdNV1ppK0lMYUplbTRmdXd4ZmVxCmI0TU1xK1E3TGNlQWlmdit2aTRjWndPV20xUzVUUkNqbmRocVowcGFkWVEzL3lpUWNkc0ozUXE5NG01emFSWVkKaFAzeHduU0NYeHcvTHp2SFlkOFBQcHlVNDBvZis2eVJUbVpGRndJREFRQUJvQUF3RFFZSktvWklodmNOQVFFTApCUUFEZ2dFQkFHMlpTYm4xZUVkdXBIMTNSNzJYQnpzZGY0TEVpOHBoYm14b0NtT0VCMzZBNjB3SDM2QkRudW9WCkhIWGNHOVE1NGpiY003cDhSeWRLR05qcUs2bUhRUWI0M3B3REVDcE53elFMcVRMdC9ibU1IVExNSmhBWk1xWEEKM3ZzOFdrVk54NkNvL1dkQkJDenk2c0JucUZqWVpSa0xramxpbU9HdnBKdCtpOGNLU3BvWU5ZUlE0WXZiYTdFKwpTcFQ3MyszMHUzTyt4V3ZaU2IxMjl3N1VDT0pFT1JpS2VqUThsbHVkeGlqY1l1UGRHQm1zaEpHYXkxSkhuMjdiClhMR3JzMjIvRDJaVFN5akVaeUlJam12U2hWbDNobmFzWHJIb3o3dWxRV21tdGd2bTJ0OHBzQzdNWG1ha1N5bk8KbmNuaDh5eXM1cUMvL2gyQ1pyNHlod0tiamh6elFpaz0KLS0tLS1FTkQgQ0VSVElGSUNBVEUgUkVRVUVTVC0tLS0tCg==';

const pem = (b64: string): Buffer => Buffer.from(b64, 'base64');
const csr = (obj: unknown): CertificateSigningRequest => obj as CertificateSigningRequest;
const conds = (obj: unknown) => csr(obj).status?.conditions ?? [];

/** The request's DER with one byte of the signature flipped, back in a PEM block. */
function tampered(b64: string): Buffer {
  const text = pem(b64).toString('latin1');
  const body = text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const der = Buffer.from(body, 'base64');
  der[der.length - 3] = (der[der.length - 3] as number) ^ 0x01;
  return Buffer.from(`-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`);
}

describe('certificatesigningrequests', () => {
  it('checks the request as upstream: PEM type, structure and signature', () => {
    assert.equal(certificateRequestProblem(pem(JANE)), undefined);
    assert.equal(certificateRequestProblem(pem(BOB)), undefined);
    assert.equal(certificateRequestProblem(tampered(JANE)), 'x509: ECDSA verification failure');
    assert.equal(certificateRequestProblem(tampered(BOB)), 'crypto/rsa: verification error');
    assert.equal(certificateRequestProblem(Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')), 'PEM block type must be CERTIFICATE REQUEST');
    assert.equal(certificateRequestProblem(Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n')), 'asn1: syntax error: data truncated');
  });

  describe('at the store', () => {
    let h: Harness;
    beforeEach(() => {
      h = harness(certificateSigningRequests);
    });
    afterEach(() => h.close());

    const spec = { request: JANE, signerName: 'example.com/signer', usages: ['client auth'], username: 'someone-else', extra: { k: ['v'] } };

    it('records the caller as requestor and starts without status', async () => {
      const user = { name: 'jane', uid: 'u-1', groups: ['devs'], extra: { scopes: ['a', 'b'] } };
      const created = csr(await h.store.create(undefined, { metadata: { name: 'r' }, spec, status: { conditions: [{ type: 'Approved', status: 'True' }] } }, { user }));
      assert.deepEqual(
        { username: created.spec?.username, uid: created.spec?.uid, groups: created.spec?.groups, extra: created.spec?.extra },
        { username: 'jane', uid: 'u-1', groups: ['devs'], extra: { scopes: ['a', 'b'] } },
      );
      assert.equal(created.status?.conditions, undefined);
      const anonymous = csr(await h.store.create(undefined, { metadata: { name: 'anon' }, spec }, {}));
      assert.equal(anonymous.spec?.username, undefined);
      assert.equal(anonymous.spec?.extra, undefined);
    });

    it('fills condition times through /approval and keeps the transition time while the status holds', async () => {
      await h.store.create(undefined, { metadata: { name: 'r' }, spec }, {});
      const approve = (reason: string) =>
        h.store.update(undefined, 'r', (cur) => ({ ...cur, status: { conditions: [{ type: 'Approved', status: 'True', reason, lastTransitionTime: undefined }] } }), { target: 'approval' });
      const first = await approve('One');
      const c1 = conds(first)[0] ?? {};
      assert.match(c1.lastUpdateTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(c1.lastTransitionTime, c1.lastUpdateTime);
      const again = await h.store.update(
        undefined,
        'r',
        (cur) => ({ ...cur, status: { conditions: [{ type: 'Approved', status: 'True', reason: 'Two' }] } }),
        { target: 'approval' },
      );
      assert.equal(conds(again)[0]?.reason, 'Two');
      assert.equal(conds(again)[0]?.lastTransitionTime, c1.lastTransitionTime);
      // Through /status the Approved condition stays as stored, whatever the body says.
      const viaStatus = await h.store.update(
        undefined,
        'r',
        (cur) => ({ ...cur, status: { conditions: [{ type: 'Approved', status: 'True', reason: 'Sneaky' }, { type: 'Failed', status: 'True', reason: 'Broken' }] } }),
        { target: 'status' },
      );
      assert.deepEqual(
        conds(viaStatus).map((c) => [c.type, c.reason]),
        [
          ['Approved', 'Two'],
          ['Failed', 'Broken'],
        ],
      );
    });
  });

  it('prints a binding selector as Go prints a LabelSelector', () => {
    assert.equal(
      goLabelSelectorString({ matchLabels: { b: '2', a: '1' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'qa'] }] }),
      '&LabelSelector{MatchLabels:map[string]string{a: 1,b: 2,},MatchExpressions:[]LabelSelectorRequirement{LabelSelectorRequirement{Key:env,Operator:In,Values:[prod qa],},},}',
    );
  });
});

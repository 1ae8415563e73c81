import { canonicalJson, computeAuditHash, GENESIS_HASH, toJsonValue } from './audit-chain';

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    const a = canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } });
    const b = canonicalJson({ a: { c: null, d: [3, { y: 2, z: 1 }] }, b: 1 });
    expect(a).toBe(b);
    expect(a).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('sorts integer-like keys as strings, not in JS enumeration order', () => {
    expect(canonicalJson({ b: 1, 10: 2, 9: 3 })).toBe('{"10":2,"9":3,"b":1}');
  });

  it('hashes what jsonb gives back: undefined dropped, dates as ISO strings', () => {
    const at = new Date('2025-01-02T03:04:05.678Z');
    expect(toJsonValue({ a: undefined, at })).toEqual({ at: '2025-01-02T03:04:05.678Z' });
  });
});

describe('computeAuditHash', () => {
  const fields = {
    prevHash: GENESIS_HASH,
    type: 'mfa.enabled',
    userId: '7d0c4f55-4b5e-4a0e-9b53-3c8f3c1e2f10',
    sessionId: null,
    ipHash: 'iphash',
    metadata: { b: 2, a: 1 },
    createdAt: new Date('2025-01-02T03:04:05.678Z'),
  };

  it('is hex SHA-256, independent of metadata key order', () => {
    const h = computeAuditHash(fields);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(computeAuditHash({ ...fields, metadata: { a: 1, b: 2 } })).toBe(h);
  });

  it('changes when any covered field changes', () => {
    const h = computeAuditHash(fields);
    const variants = [
      { prevHash: 'f'.repeat(64) },
      { type: 'mfa.disabled' },
      { userId: null },
      { sessionId: '7d0c4f55-4b5e-4a0e-9b53-3c8f3c1e2f11' },
      { ipHash: null },
      { metadata: { a: 1, b: 3 } },
      { createdAt: new Date('2025-01-02T03:04:05.679Z') },
    ];
    for (const change of variants) expect(computeAuditHash({ ...fields, ...change })).not.toBe(h);
  });
});

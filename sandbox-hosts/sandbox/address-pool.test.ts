import { describe, expect, it } from 'vitest';
import { AddressPool } from './address-pool.ts';

describe('AddressPool', () => {
  it('hands out the lowest free addresses, never the bridge, and takes them back', () => {
    const pool = new AddressPool('10.9.0.1');
    expect(pool.take(2)).toEqual(['10.9.0.2', '10.9.0.3']);
    pool.hold('10.9.0.4');
    expect(pool.take(1)).toEqual(['10.9.0.5']);
    pool.release('10.9.0.2');
    expect(pool.take(1)).toEqual(['10.9.0.2']);
  });

  it('refuses a request it cannot fill whole', () => {
    const pool = new AddressPool('10.9.0.1');
    expect(pool.take(252)).toHaveLength(252);
    expect(pool.free).toBe(1);
    expect(pool.take(2)).toBeUndefined();
    expect(pool.take(1)).toEqual(['10.9.0.254']);
  });

  it('rejects an address of another subnet', () => {
    expect(() => new AddressPool('10.9.0.1').hold('10.8.0.5')).toThrow(/not on 10\.9\.0\.0\/24/);
  });
});

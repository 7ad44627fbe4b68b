import { describe, expect, it } from 'vitest';
import { UserKeyCache } from '../../edge/user-key-cache.js';
import { userKey } from '../../shared/crypto/hmac.js';

describe('UserKeyCache', () => {
  const salt = 'salt-0123456789abcdef';

  it('answers exactly what userKey answers, for a salt change too', async () => {
    const cache = new UserKeyCache(4);
    for (const id of ['a', 'b', 'a', 'c', 'd', 'e', 'a', 'ü', '']) expect(await cache.get(salt, id)).toBe(await userKey(salt, id));
    expect(await cache.get(`${salt}-rotated`, 'a')).toBe(await userKey(`${salt}-rotated`, 'a'));
    expect(await cache.get(`${salt}-rotated`, 'a')).not.toBe(await cache.get(salt, 'a'));
  });

  it('stays within its bound', async () => {
    const cache = new UserKeyCache(10);
    for (let i = 0; i < 100; i++) await cache.get(salt, `u${i}`);
    expect(cache.size).toBe(10);
  });
});

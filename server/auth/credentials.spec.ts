import { describe, expect, it } from 'vitest';
import {
  bearerToken,
  credentialsOf,
  isStateChanging,
  readCookie,
  sameOrigin,
  SESSION_COOKIE,
} from './credentials.ts';

describe('credentials', () => {
  it('reads one cookie out of a Cookie header', () => {
    expect(readCookie('a=1; floorboard_session=abc-_9; b=2', SESSION_COOKIE)).toBe('abc-_9');
    expect(readCookie('xfloorboard_session=1', SESSION_COOKIE)).toBeNull();
    expect(readCookie(undefined, SESSION_COOKIE)).toBeNull();
  });

  it('reads a Bearer token, case-insensitively, and nothing else', () => {
    expect(bearerToken('Bearer fbt_x')).toBe('fbt_x');
    expect(bearerToken('bearer  fbt_x ')).toBe('fbt_x');
    expect(bearerToken('Basic dTpw')).toBeNull();
    expect(bearerToken('Bearer')).toBeNull();
  });

  it('prefers the Authorization header over the session cookie', () => {
    const cookie = `${SESSION_COOKIE}=s1`;
    expect(credentialsOf({ cookie })).toEqual({ kind: 'session', id: 's1' });
    expect(credentialsOf({ cookie, authorization: 'Bearer t1' })).toEqual({ kind: 'bearer', token: 't1' });
    expect(credentialsOf({ cookie, authorization: 'Basic x' })).toBeNull();
    expect(credentialsOf({})).toBeNull();
  });

  it('knows which methods change state', () => {
    expect(['POST', 'put', 'PATCH', 'DELETE'].every(isStateChanging)).toBe(true);
    expect(['GET', 'HEAD', 'OPTIONS'].some(isStateChanging)).toBe(false);
  });

  describe('same-origin check', () => {
    const host = 'board.example:3000';
    it('accepts an Origin naming the Host', () => {
      expect(sameOrigin({ origin: 'http://board.example:3000' }, [host])).toBe(true);
      expect(sameOrigin({ origin: 'https://BOARD.example:3000' }, [host])).toBe(true);
    });
    it('refuses a foreign, opaque or port-shifted Origin', () => {
      expect(sameOrigin({ origin: 'https://evil.example' }, [host])).toBe(false);
      expect(sameOrigin({ origin: 'http://board.example:3001' }, [host])).toBe(false);
      expect(sameOrigin({ origin: 'null', referer: 'http://board.example:3000/' }, [host])).toBe(false);
      expect(sameOrigin({ origin: 'http://board.example.evil.example:3000' }, [host])).toBe(false);
    });
    it('falls back to the Referer when there is no Origin', () => {
      expect(sameOrigin({ referer: 'http://board.example:3000/floor?x=1' }, [host])).toBe(true);
      expect(sameOrigin({ referer: 'http://evil.example/board.example:3000' }, [host])).toBe(false);
    });
    it('refuses a request with neither Origin nor Referer, or an unparseable one', () => {
      expect(sameOrigin({}, [host])).toBe(false);
      expect(sameOrigin({ origin: 'board.example:3000' }, [host])).toBe(false);
    });
    it('accepts the host a trusted proxy forwarded', () => {
      expect(sameOrigin({ origin: 'https://floor.example' }, [undefined, 'floor.example'])).toBe(true);
    });
  });
});

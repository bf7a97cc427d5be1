import { describe, expect, it } from 'vitest';
import { redisQueryText } from '../src/redis-query-text.js';

describe('redisQueryText', () => {
  it('keeps the command and its key, every other argument is ?', () => {
    expect(redisQueryText('SET', ['session:42', 'alice@example.com', 'EX', 60])).toBe('SET session:42 ? ? ?');
    expect(redisQueryText('hset', ['user:7', 'email', 'alice@example.com'])).toBe('hset user:7 ? ?');
    expect(redisQueryText('SISMEMBER', ['admins', 'alice'])).toBe('SISMEMBER admins ?');
    expect(redisQueryText('GET', ['session:42'])).toBe('GET session:42');
    expect(redisQueryText('GET', [Buffer.from('binary:key')])).toBe('GET binary:key');
  });

  it('keeps a script, its key count and its keys, not its arguments (BullMQ job data)', () => {
    const job = JSON.stringify({ email: 'alice@example.com' });
    expect(redisQueryText('evalsha', ['abc123', 2, 'bull:q:wait', 'bull:q:meta', job, 'x'])).toBe(
      'evalsha abc123 2 bull:q:wait bull:q:meta ? ?',
    );
    expect(redisQueryText('EVAL', ['return 1', 0, job])).toBe('EVAL return 1 0 ?');
    // A key count that is not a number: only the script is kept.
    expect(redisQueryText('EVALSHA', ['abc123', 'oops', job])).toBe('EVALSHA abc123 ? ?');
  });

  it('never records the first argument of AUTH, HELLO or ECHO', () => {
    expect(redisQueryText('AUTH', ['s3cret'])).toBe('AUTH ?');
    expect(redisQueryText('auth', ['default', 's3cret'])).toBe('auth ? ?');
    expect(redisQueryText('HELLO', [3, 'AUTH', 'default', 's3cret'])).toBe('HELLO ? ? ? ?');
    expect(redisQueryText('ECHO', ['hello'])).toBe('ECHO ?');
  });

  it('a command without arguments is its name; odd input is never thrown on', () => {
    expect(redisQueryText('PING', [])).toBe('PING');
    expect(redisQueryText('GET', [{ not: 'a string' }])).toBe('GET ?');
    expect(redisQueryText('GET', undefined as unknown as unknown[])).toBe('GET');
  });
});

import { describe, expect, it } from 'vitest';
import { MYSQL, POSTGRESQL, sanitizeSql, summarizeSql } from '../src/sanitize-sql.js';

describe('sanitizeSql', () => {
  it.each([
    ["SELECT * FROM users WHERE email = 'alice@example.com'", 'SELECT * FROM users WHERE email = ?'],
    ["SELECT 'it''s secret' AS s", 'SELECT ? AS s'],
    ['SELECT 42, -7, 3.14, .5, 1e-5, 0x1F, 1_000 AS n', 'SELECT ?, -?, ?, ?, ?, ?, ? AS n'],
    ["SELECT E'esc\\'aped secret', X'DEADBEEF', B'1010', N'name'", 'SELECT ?, ?, ?, ?'],
    ['SELECT $$dollar secret$$, $tag$tagged $$ secret$tag$', 'SELECT ?, ?'],
    ['SELECT TRUE, false, NULL', 'SELECT ?, ?, NULL'],
    [
      "SELECT * FROM t WHERE d > DATE '2024-01-01' + INTERVAL '1 day'",
      'SELECT * FROM t WHERE d > DATE ? + INTERVAL ?',
    ],
    ['SELECT * FROM t WHERE id IN (1, 2, 3)', 'SELECT * FROM t WHERE id IN (?)'],
    ["SELECT 1 -- a comment 'with' 42\n, 2 /* block 'secret' */", 'SELECT ?  \n, ?'],
    [
      'SELECT "Column 1", t1.c2, col$3 FROM "my table" t1',
      'SELECT "Column 1", t1.c2, col$3 FROM "my table" t1',
    ],
    ['SELECT $1::int, $2 FROM t WHERE a = ?', 'SELECT $1::int, $2 FROM t WHERE a = ?'],
    ["SELECT 'unterminated secret", 'SELECT ?'],
    ['SELECT 1 /* unterminated secret', 'SELECT ? ?'],
    ["SELECT 'C:\\' , 'secret'", 'SELECT ? , ?'],
  ])('PostgreSQL: %s', (sql, sanitized) => {
    expect(sanitizeSql(sql, POSTGRESQL)).toBe(sanitized);
  });

  it.each([
    [
      'SELECT * FROM users WHERE email = "alice@example.com" AND name = \'bob\'',
      'SELECT * FROM users WHERE email = ? AND name = ?',
    ],
    ["SELECT 'it\\'s secret', `col 1` FROM `t`", 'SELECT ?, `col 1` FROM `t`'],
    ['SELECT 0xDEADBEEF, 1 # secret comment', 'SELECT ?, ?'],
    ['INSERT INTO t (a, b) VALUES (?, ?)', 'INSERT INTO t (a, b) VALUES (?, ?)'],
  ])('MySQL: %s', (sql, sanitized) => {
    expect(sanitizeSql(sql, MYSQL)).toBe(sanitized);
  });

  it('leaves no letter of any literal behind', () => {
    const secret = 'S3cr3tValue';
    const queries = [
      `SELECT '${secret}'`,
      `SELECT E'\\'${secret}'`,
      `SELECT $q$${secret}$q$`,
      `SELECT '${secret}' || '${secret}'`,
      `SELECT /* ${secret} */ 1`,
      `SELECT 1 -- ${secret}`,
      `SELECT '${secret}`,
    ];
    for (const sql of queries) expect(sanitizeSql(sql, POSTGRESQL)).not.toContain('cr3t');
    for (const sql of [`SELECT "${secret}"`, `SELECT 'a\\'${secret}'`, `SELECT 1 # ${secret}`]) {
      expect(sanitizeSql(sql, MYSQL)).not.toContain('cr3t');
    }
  });
});

describe('summarizeSql', () => {
  it.each([
    ["SELECT * FROM wuser_table WHERE username = 'x'", 'SELECT wuser_table'],
    [
      'INSERT INTO shipping_details (order_id, address) SELECT order_id, address FROM orders WHERE order_id = ?',
      'INSERT shipping_details SELECT orders',
    ],
    ['SELECT * FROM songs, artists WHERE songs.artist_id = artists.id', 'SELECT songs artists'],
    [
      'SELECT order_date FROM (SELECT * FROM orders o JOIN customers c ON o.customer_id = c.customer_id)',
      'SELECT SELECT orders customers',
    ],
    ['SELECT * FROM "song list", public.artists AS a', 'SELECT "song list" public.artists'],
    ["UPDATE users SET name = 'x' WHERE id = 1", 'UPDATE users'],
    ['DELETE FROM ONLY sessions WHERE expires < now()', 'DELETE sessions'],
    ['SELECT * FROM t FOR UPDATE', 'SELECT t'],
    ['INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET a = 2', 'INSERT t'],
    ['SELECT EXTRACT(YEAR FROM created_at) FROM events', 'SELECT events'],
    ['WITH recent AS (SELECT * FROM orders) SELECT * FROM recent', 'SELECT orders SELECT recent'],
    ["SELECT 'alice@example.com' AS email", 'SELECT'],
    ['BEGIN', 'BEGIN'],
    ['CREATE TABLE IF NOT EXISTS items (id int)', 'CREATE items'],
  ])('%s', (sql, summary) => {
    expect(summarizeSql(sql, POSTGRESQL)).toBe(summary);
  });

  it('is undefined for text without a word, and at most 255 characters, cut between words', () => {
    expect(summarizeSql("  'x' ", POSTGRESQL)).toBeUndefined();
    const long = `SELECT * FROM ${Array.from({ length: 40 }, (_, i) => `table_number_${i}`).join(', ')}`;
    const summary = summarizeSql(long, POSTGRESQL) ?? '';
    expect(summary.length).toBeLessThanOrEqual(255);
    expect(summary).toMatch(/ table_number_\d+$/);
  });
});

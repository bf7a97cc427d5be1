/**
 * SQL text made safe to record, per the OpenTelemetry database conventions
 * (https://opentelemetry.io/docs/specs/semconv/db/database-spans/#sanitization-of-dbquerytext):
 * every literal (string, number, hex, bit, boolean, dollar-quoted) becomes `?`, comments go, an
 * IN list of literals collapses to `IN (?)`; and a low-cardinality `db.query.summary` (operations
 * and the tables they act on, "SELECT users", "INSERT orders SELECT carts") built from identifiers
 * and keywords only, never from a literal.
 *
 * The scanner is deliberately simple, and fails closed: what it cannot read (an unterminated
 * string or comment) is replaced by `?` to the end of the text.
 */

/** How a dialect writes what the scanner must tell apart. */
export interface SqlDialect {
  /** MySQL: `"…"` is a string (ANSI_QUOTES off). PostgreSQL: it is an identifier. */
  doubleQuotedStrings: boolean;
  /** MySQL: `\'` escapes a quote in any string. PostgreSQL: only in `E'…'` strings. */
  backslashEscapes: boolean;
  /** MySQL: `# …` is a comment. PostgreSQL: `#` is an operator. */
  hashComments: boolean;
}

export const POSTGRESQL: SqlDialect = {
  doubleQuotedStrings: false,
  backslashEscapes: false,
  hashComments: false,
};
export const MYSQL: SqlDialect = { doubleQuotedStrings: true, backslashEscapes: true, hashComments: true };

type TokenKind = 'word' | 'identifier' | 'literal' | 'placeholder' | 'comment' | 'punctuation' | 'space';

interface Token {
  kind: TokenKind;
  text: string;
}

/** `sql` with every literal replaced by `?` and its comments removed. */
export function sanitizeSql(sql: string, dialect: SqlDialect): string {
  let out = '';
  for (const token of tokenize(sql, dialect)) {
    if (token.kind === 'comment') out += ' ';
    else if (token.kind === 'literal') out += '?';
    else out += token.text;
  }
  return out.replace(IN_LIST, 'IN (?)').trim();
}

/**
 * The query's operations, each followed by the tables it names ("SELECT orders customers"), at
 * most 255 characters cut between words; undefined when the text has no word to start from.
 */
export function summarizeSql(sql: string, dialect: SqlDialect): string | undefined {
  const tokens = tokenize(sql, dialect).filter((t) => t.kind !== 'space' && t.kind !== 'comment');
  const parts: string[] = [];
  // Per open parenthesis: whether it holds a subquery (where FROM names a table) rather than a
  // function's arguments (EXTRACT(YEAR FROM created_at)).
  const parens: boolean[] = [];
  let statementStart = true;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    const upper = token.kind === 'word' ? token.text.toUpperCase() : '';
    if (token.text === '(') {
      parens.push(/^(SELECT|WITH|VALUES)$/i.test(tokens[i + 1]?.text ?? ''));
      continue;
    }
    if (token.text === ')') {
      parens.pop();
      continue;
    }
    if (token.text === ';') {
      statementStart = true;
      continue;
    }
    const before = tokens[i - 1]?.text.toUpperCase();
    if (ANYWHERE_OPERATIONS.has(upper) && !(before && NOT_AN_OPERATION_AFTER.has(before))) {
      parts.push(token.text);
      if (upper === 'UPDATE') i = readTargets(tokens, i + 1, parts, false);
    } else if (statementStart && token.kind === 'word') {
      // The statement's command (BEGIN, SET, CREATE, CALL…); a WITH's queries come after it.
      if (upper !== 'WITH') parts.push(token.text);
    } else if (TARGET_BEFORE.has(upper) && (parens.length === 0 || parens.at(-1))) {
      i = readTargets(tokens, i + 1, parts, upper === 'FROM');
    }
    statementStart = false;
  }
  let summary = '';
  for (const part of parts) {
    const next = summary ? `${summary} ${part}` : part;
    if (next.length > 255) break;
    summary = next;
  }
  return summary || undefined;
}

/** Reads the table names at `start` into `parts` (a list when `list`); returns the last index read. */
function readTargets(tokens: Token[], start: number, parts: string[], list: boolean): number {
  let i = start;
  while (SKIPPED_BEFORE_TARGET.has(tokens[i]?.text.toUpperCase() ?? '')) i++;
  for (;;) {
    const name = readName(tokens, i);
    if (name === undefined) return i - 1;
    parts.push(name.text);
    i = name.next;
    if (!list) return i - 1;
    // An alias (`orders o`, `orders AS o`), then a comma for the next table of the list.
    if (tokens[i]?.text.toUpperCase() === 'AS') i++;
    if (tokens[i]?.kind === 'word' && !KEYWORDS_AFTER_TABLE.has(tokens[i]?.text.toUpperCase() ?? '')) i++;
    if (tokens[i]?.text !== ',') return i - 1;
    i++;
  }
}

/** A table name at `i`, qualified (`public.users`, `"my schema"."my table"`) or not. */
function readName(tokens: Token[], i: number): { text: string; next: number } | undefined {
  const isName = (t: Token | undefined) =>
    t !== undefined &&
    (t.kind === 'identifier' || (t.kind === 'word' && !RESERVED.has(t.text.toUpperCase())));
  if (!isName(tokens[i])) return undefined;
  let text = (tokens[i] as Token).text;
  let next = i + 1;
  while (tokens[next]?.text === '.' && isName(tokens[next + 1])) {
    text += `.${(tokens[next + 1] as Token).text}`;
    next += 2;
  }
  return { text, next };
}

/** The tokens of `sql`, whose texts put together give `sql` back. */
function tokenize(sql: string, dialect: SqlDialect): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, end: number) => {
    tokens.push({ kind, text: sql.slice(i, end) });
    i = end;
  };
  while (i < sql.length) {
    const c = sql[i] as string;
    const next = sql[i + 1] ?? '';
    if (/\s/.test(c)) {
      push('space', matchEnd(/\s+/y, sql, i));
    } else if ((c === '-' && next === '-') || (c === '#' && dialect.hashComments)) {
      const end = sql.indexOf('\n', i);
      push('comment', end === -1 ? sql.length : end);
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      // Unterminated: the rest cannot be read, so none of it is kept.
      if (end === -1) push('literal', sql.length);
      else push('comment', end + 2);
    } else if (c === "'" || (c === '"' && dialect.doubleQuotedStrings)) {
      push('literal', quotedEnd(sql, i, c, dialect.backslashEscapes));
    } else if (/[eE]/.test(c) && next === "'") {
      // PostgreSQL's escape string E'…', where \' is a quote in any dialect.
      push('literal', quotedEnd(sql, i + 1, "'", true));
    } else if (/[xXbBnN]/.test(c) && next === "'") {
      // Hex, bit and national strings: X'1F', B'101', N'…'.
      push('literal', quotedEnd(sql, i + 1, "'", dialect.backslashEscapes));
    } else if (c === '"' || c === '`') {
      push('identifier', quotedEnd(sql, i, c, false));
    } else if (c === '$') {
      const dollar = /\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/y;
      dollar.lastIndex = i;
      const tag = dollar.exec(sql)?.[0];
      if (tag !== undefined) {
        // PostgreSQL's dollar-quoted string: $$…$$ or $tag$…$tag$.
        const end = sql.indexOf(tag, i + tag.length);
        push('literal', end === -1 ? sql.length : end + tag.length);
      } else if (/\d/.test(next)) {
        push('placeholder', matchEnd(/\$\d+/y, sql, i));
      } else {
        push('punctuation', i + 1);
      }
    } else if (/\d/.test(c) || (c === '.' && /\d/.test(next))) {
      // A number, with whatever letters and digits run on from it (0x1F, 1e-5, 1_000).
      push(
        'literal',
        matchEnd(
          /(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?[\w$]*/y,
          sql,
          i,
        ),
      );
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      const end = matchEnd(/[\w$\u0080-\uffff]+/y, sql, i);
      const word = sql.slice(i, end).toUpperCase();
      push(word === 'TRUE' || word === 'FALSE' ? 'literal' : 'word', end);
    } else if (c === '?' || c === ':') {
      // `?` (MySQL) or `:name`; `::` is PostgreSQL's cast.
      if (c === ':' && next === ':') push('punctuation', i + 2);
      else if (c === ':' && /[A-Za-z_]/.test(next)) push('placeholder', matchEnd(/:[A-Za-z_]\w*/y, sql, i));
      else push(c === '?' ? 'placeholder' : 'punctuation', i + 1);
    } else {
      push('punctuation', i + 1);
    }
  }
  return tokens;
}

/** Where the quoted run opened at `start` by `quote` ends (its end, or the text's when unterminated). */
function quotedEnd(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  for (let i = start + 1; i < sql.length; i++) {
    const c = sql[i];
    if (c === '\\' && backslashEscapes) i++;
    else if (c === quote) {
      // A doubled quote is the quote itself, inside the run.
      if (sql[i + 1] === quote) i++;
      else return i + 1;
    }
  }
  return sql.length;
}

function matchEnd(pattern: RegExp, sql: string, start: number): number {
  pattern.lastIndex = start;
  return pattern.exec(sql) ? pattern.lastIndex : start + 1;
}

const IN_LIST = /\bIN\s*\(\s*\?(?:\s*,\s*\?)*\s*\)/gi;

/** Operations counted wherever they stand: they open subqueries and data changes. */
const ANYWHERE_OPERATIONS = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'MERGE']);
/** `FOR UPDATE`, `DO UPDATE`, `ON DUPLICATE KEY UPDATE`, `ON DELETE CASCADE` are no operations. */
const NOT_AN_OPERATION_AFTER = new Set(['FOR', 'DO', 'KEY', 'ON', 'NO', 'OF']);
/** Keywords followed by a table name. */
const TARGET_BEFORE = new Set(['FROM', 'JOIN', 'INTO', 'TABLE', 'USING']);
const SKIPPED_BEFORE_TARGET = new Set(['ONLY', 'IF', 'NOT', 'EXISTS', 'LATERAL', 'LOW_PRIORITY', 'IGNORE']);
/** Words after a table that are not its alias. */
const KEYWORDS_AFTER_TABLE = new Set([
  'WHERE',
  'JOIN',
  'INNER',
  'LEFT',
  'RIGHT',
  'FULL',
  'CROSS',
  'NATURAL',
  'ON',
  'USING',
  'GROUP',
  'ORDER',
  'LIMIT',
  'OFFSET',
  'HAVING',
  'WINDOW',
  'UNION',
  'EXCEPT',
  'INTERSECT',
  'FOR',
  'SET',
  'VALUES',
  'RETURNING',
  'FETCH',
  'SELECT',
  'DEFAULT',
  'OUTPUT',
  'PARTITION',
]);
/** Words that never name a table. */
const RESERVED = new Set([
  ...KEYWORDS_AFTER_TABLE,
  ...ANYWHERE_OPERATIONS,
  'AS',
  'FROM',
  'INTO',
  'TABLE',
  'WITH',
  'NULL',
]);

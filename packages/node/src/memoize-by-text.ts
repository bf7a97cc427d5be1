/**
 * `compute` remembered by its text argument, for the SQL summary and sanitizer: an app sends the
 * same few statements over and over, and tokenizing one costs about 9 µs per query (measured by
 * bench/database-queries), which the stock instrumentation does not pay. At most `entries` texts of
 * at most `longest` characters are kept; when full, it starts over, so a stream of one-off texts
 * (literals inline) costs memory for no more than `entries` of them.
 */
export function memoizeByText<T>(
  compute: (text: string) => T,
  entries = 256,
  longest = 4096,
): (text: string) => T {
  const memo = new Map<string, T>();
  return (text) => {
    if (typeof text !== 'string' || text.length > longest) return compute(text);
    const known = memo.get(text);
    if (known !== undefined || memo.has(text)) return known as T;
    const value = compute(text);
    if (memo.size >= entries) memo.clear();
    memo.set(text, value);
    return value;
  };
}

/** Compares two non-negative decimal strings (nanosecond times) without converting them to lossy numbers. */
export function compareDecimal(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

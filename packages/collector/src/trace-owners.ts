/**
 * Which traces each owner sent: an exporter that posts to `/v1/traces?owner=<id>` owns the traces
 * of its spans. @clicktrace/playwright gives each test's pages its own owner id, so a test finds
 * its traces with `GET /api/traces?owner=<id>`, even when a page closed mid-export and no event of
 * the browser told the test about it.
 */

/** Owners remembered; past it the oldest is forgotten (a run of many thousand tests). */
export const MAX_OWNERS = 10_000;

const OWNER = /^[A-Za-z0-9_-]{1,64}$/;

export class TraceOwners {
  // A Map iterates in insertion order: the first key is the oldest owner.
  private readonly _owners = new Map<string, Set<string>>();

  /** Whether `owner` is an id this collector keeps (letters, digits, `_` and `-`, up to 64). */
  static isOwner(owner: string): boolean {
    return OWNER.test(owner);
  }

  add(owner: string, traceIds: Iterable<string>): void {
    if (!TraceOwners.isOwner(owner)) return;
    let owned = this._owners.get(owner);
    if (owned === undefined) {
      owned = new Set();
      this._owners.set(owner, owned);
      if (this._owners.size > MAX_OWNERS) this._owners.delete(this._owners.keys().next().value as string);
    }
    for (const traceId of traceIds) owned.add(traceId);
  }

  /** The trace ids `owner` sent, empty for an owner never seen. */
  of(owner: string): ReadonlySet<string> {
    return this._owners.get(owner) ?? new Set();
  }

  clear(): void {
    this._owners.clear();
  }
}

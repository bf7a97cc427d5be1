/** One colour per service, the same one everywhere on the page, in the order services are first seen. */
const PALETTE = [
  '#3b82f6',
  '#10b981',
  '#f59e0b',
  '#8b5cf6',
  '#ef4444',
  '#06b6d4',
  '#ec4899',
  '#84cc16',
  '#f97316',
  '#64748b',
];

export class ServiceColors {
  private readonly _colors = new Map<string, string>();

  of(service: string): string {
    let color = this._colors.get(service);
    if (color === undefined) {
      color = PALETTE[this._colors.size % PALETTE.length] ?? '#64748b';
      this._colors.set(service, color);
    }
    return color;
  }
}

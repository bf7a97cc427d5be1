/** The shop's items: fixed, so the demo and its tests know what to expect. */
export interface Item {
  id: string;
  name: string;
  priceCents: number;
}

export const ITEMS: readonly Item[] = [
  { id: 'tea', name: 'Green tea', priceCents: 450 },
  { id: 'mug', name: 'Stoneware mug', priceCents: 1800 },
  { id: 'kettle', name: 'Gooseneck kettle', priceCents: 5400 },
];

// The bundle-size clicktrace app plus the async code a small shop has: async handlers, an async
// service class, an async generator for pagination, for await, retries with a delay.
import { startTracing } from '@clicktrace/web';

startTracing({ serviceName: 'bench-web', endpoint: '/v1/traces' });

interface Item {
  id: string;
  name: string;
  price: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function getJson<T>(url: string, init?: RequestInit, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(url, init);
      if (!response.ok) throw new Error(`${response.status} ${url}`);
      return (await response.json()) as T;
    } catch (error) {
      if (attempt >= attempts) throw error;
      await sleep(100 * attempt);
    }
  }
}

class CartService {
  #items: Item[] = [];

  async *pages(pageSize = 20): AsyncGenerator<Item[]> {
    for (let page = 0; ; page++) {
      const items = await getJson<Item[]>(`/api/items?page=${page}&size=${pageSize}`);
      if (items.length === 0) return;
      yield items;
    }
  }

  async load(): Promise<Item[]> {
    this.#items = [];
    for await (const page of this.pages()) this.#items.push(...page);
    return this.#items;
  }

  async checkout(): Promise<{ orderId: string }> {
    const total = this.#items.reduce((sum, item) => sum + item.price, 0);
    return getJson('/api/checkout', { method: 'POST', body: JSON.stringify({ total }) });
  }
}

const cart = new CartService();
const list = document.getElementById('items') as HTMLUListElement;

document.getElementById('load')?.addEventListener('click', async () => {
  const items = await cart.load();
  list.replaceChildren(
    ...items.map((item) => Object.assign(document.createElement('li'), { textContent: item.name })),
  );
});

document.getElementById('checkout')?.addEventListener('click', async () => {
  const { orderId } = await cart.checkout();
  list.replaceChildren(Object.assign(document.createElement('li'), { textContent: `order ${orderId}` }));
});

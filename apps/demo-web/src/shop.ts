import { api } from './api.js';

interface Item {
  id: string;
  name: string;
  priceCents: number;
}

const cartId = crypto.randomUUID();
let cart: string[] = [];

/** Renders the shop and wires its buttons: some handlers synchronous, some `async`. */
export function startShop(doc: Document): void {
  const list = doc.querySelector<HTMLUListElement>('#items');
  const checkout = doc.querySelector<HTMLButtonElement>('#checkout');
  const cartText = doc.querySelector<HTMLElement>('[data-testid="cart"]');
  const status = doc.querySelector<HTMLElement>('[data-testid="status"]');
  if (!list || !checkout || !cartText || !status) throw new Error('shop markup is missing');

  const showCart = (): void => {
    cartText.textContent = cart.length === 0 ? 'empty' : cart.join(', ');
    checkout.disabled = cart.length === 0;
  };

  // Synchronous handler: the request and its promise callbacks.
  const addToCart = (item: Item): void => {
    status.textContent = `adding ${item.name}…`;
    api<{ items: string[] }>('/api/cart', { cartId, itemId: item.id })
      .then((answer) => {
        cart = answer.items;
        showCart();
        status.textContent = `added ${item.name}`;
      })
      .catch((error: unknown) => {
        status.textContent = `could not add: ${String(error)}`;
      });
  };

  // `async` handler: the fetch starts before its first native await.
  checkout.addEventListener('click', async () => {
    status.textContent = 'placing order…';
    try {
      const order = await api<{ orderId: string; totalCents: number }>('/api/checkout', { cartId });
      cart = [];
      showCart();
      status.textContent = `order ${order.orderId} placed: ${(order.totalCents / 100).toFixed(2)}`;
    } catch (error) {
      status.textContent = `checkout failed: ${String(error)}`;
    }
  });

  api<{ items: Item[] }>('/api/items')
    .then(({ items }) => {
      for (const item of items) {
        const row = doc.createElement('li');
        const label = doc.createElement('span');
        label.textContent = `${item.name} — ${(item.priceCents / 100).toFixed(2)}`;
        const add = doc.createElement('button');
        add.type = 'button';
        add.textContent = `Add ${item.name}`;
        add.addEventListener('click', () => addToCart(item));
        row.append(label, add);
        list.append(row);
      }
      status.textContent = 'ready';
    })
    .catch((error: unknown) => {
      status.textContent = `could not load items: ${String(error)}`;
    });
  showCart();
}

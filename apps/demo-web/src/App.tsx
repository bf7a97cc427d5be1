import { useState } from 'react';
import { api } from './api.js';
import { type Item, useAction, useItems } from './hooks.js';

interface Order {
  orderId: string;
  items: string[];
  totalCents: number;
}

const price = (cents: number): string => (cents / 100).toFixed(2);

/** Client-side checks before the order goes out: async, as a schema validator or a confirm step is. */
async function validateCart(cart: readonly string[], items: readonly Item[]): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 50));
  if (cart.length === 0) throw new Error('the cart is empty');
  const unknown = cart.filter((id) => !items.some((item) => item.id === id));
  if (unknown.length > 0) throw new Error(`unknown items: ${unknown.join(', ')}`);
}

/** The shop. Its handlers are plain `async` functions: no tracing code anywhere. */
export function App() {
  const { items, error: itemsError, reload } = useItems();
  const [cartId] = useState(() => crypto.randomUUID());
  const [cart, setCart] = useState<string[]>([]);
  const [message, setMessage] = useState<string>();

  // The request starts before the handler's first await.
  const add = useAction(async (item: Item) => {
    const answer = await api<{ items: string[] }>('/api/cart', { cartId, itemId: item.id });
    setCart(answer.items);
    setMessage(`added ${item.name}`);
  });

  // Awaits before its first request, then makes two requests in sequence.
  const checkout = useAction(async () => {
    await validateCart(cart, items ?? []);
    const order = await api<Order>('/api/checkout', { cartId });
    setCart([]);
    setMessage(`order ${order.orderId} placed: ${price(order.totalCents)}`);
    await reload(); // the catalog after the order
  });

  const status = checkout.pending
    ? 'placing order…'
    : (message ?? (itemsError ? `could not load items: ${itemsError}` : items ? 'ready' : 'loading…'));

  return (
    <main>
      <h1>clicktrace shop</h1>
      <p className="hint">Every click here starts one trace. Open the viewer to see it reach the API.</p>
      <Catalog items={items ?? []} onAdd={(item) => void add.run(item)} error={add.error} />
      <Cart
        cart={cart}
        onCheckout={() => void checkout.run()}
        busy={checkout.pending}
        error={checkout.error}
        status={status}
      />
    </main>
  );
}

function Catalog({
  items,
  onAdd,
  error,
}: {
  items: readonly Item[];
  onAdd: (item: Item) => void;
  error: string | undefined;
}) {
  return (
    <section aria-labelledby="items-title">
      <h2 id="items-title">Items</h2>
      <ul data-testid="items">
        {items.map((item) => (
          <li key={item.id}>
            <span>
              {item.name} — {price(item.priceCents)}
            </span>
            <button type="button" onClick={() => onAdd(item)}>
              {`Add ${item.name}`}
            </button>
          </li>
        ))}
      </ul>
      {error && <p role="alert">could not add: {error}</p>}
    </section>
  );
}

function Cart({
  cart,
  onCheckout,
  busy,
  error,
  status,
}: {
  cart: readonly string[];
  onCheckout: () => void;
  busy: boolean;
  error: string | undefined;
  status: string;
}) {
  return (
    <section aria-labelledby="cart-title">
      <h2 id="cart-title">Cart</h2>
      <p data-testid="cart">{cart.length === 0 ? 'empty' : cart.join(', ')}</p>
      <button type="button" onClick={onCheckout} disabled={cart.length === 0 || busy}>
        Checkout
      </button>
      {error && <p role="alert">checkout failed: {error}</p>}
      <p data-testid="status" role="status">
        {status}
      </p>
    </section>
  );
}

import { useCallback, useEffect, useState } from 'react';
import { api } from './api.js';

export interface Item {
  id: string;
  name: string;
  priceCents: number;
}

async function fetchItems(): Promise<Item[]> {
  const { items } = await api<{ items: Item[] }>('/api/items');
  return items;
}

/** The shop's catalog: loaded when the component mounts; `reload()` fetches it again. */
export function useItems(): {
  items: Item[] | undefined;
  error: string | undefined;
  reload: () => Promise<void>;
} {
  const [items, setItems] = useState<Item[]>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let ignore = false; // StrictMode mounts twice in dev: only the last load may set state
    async function load(): Promise<void> {
      try {
        const loaded = await fetchItems();
        if (!ignore) setItems(loaded);
      } catch (failure) {
        if (!ignore) setError(describe(failure));
      }
    }
    void load();
    return () => {
      ignore = true;
    };
  }, []);

  const reload = useCallback(async () => {
    setItems(await fetchItems());
  }, []);

  return { items, error, reload };
}

/**
 * Wraps an async event handler: `run` calls it, `pending` is true while a call is in flight, `error`
 * holds the last call's failure (cleared when a new call starts).
 */
export function useAction<A extends unknown[]>(
  action: (...args: A) => Promise<void>,
): { run: (...args: A) => Promise<void>; pending: boolean; error: string | undefined } {
  const [running, setRunning] = useState(0);
  const [error, setError] = useState<string>();

  async function run(...args: A): Promise<void> {
    setRunning((count) => count + 1);
    setError(undefined);
    try {
      await action(...args);
    } catch (failure) {
      setError(describe(failure));
    } finally {
      setRunning((count) => count - 1);
    }
  }

  return { run, pending: running > 0, error };
}

function describe(failure: unknown): string {
  return failure instanceof Error ? failure.message : String(failure);
}

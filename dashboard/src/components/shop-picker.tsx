import { useState, type FormEvent } from 'react';
import type { ConnectionStatus } from '../connection';
import { StockPanel } from './stock-panel';

/** Operators (ADMIN, SUPPORT): any shop by its address (slug), its stock live and read-only. */
export function ShopPicker({ connection }: { connection: ConnectionStatus }) {
  const [slug, setSlug] = useState<string | null>(null);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget).get('slug')).trim();
    setSlug(value || null);
  };
  return (
    <main className="layout">
      <form className="card shop-picker" onSubmit={submit} aria-label="Watch a shop">
        <label>
          Shop address (slug)
          <input name="slug" required placeholder="atelier-du-lin" data-testid="shop-slug" />
        </label>
        <button type="submit">Watch its stock</button>
      </form>
      {slug && <StockPanel key={slug} slug={slug} readOnly connection={connection} />}
    </main>
  );
}

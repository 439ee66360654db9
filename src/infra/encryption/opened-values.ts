/**
 * What an entity's sealed column opened to, remembered per entity and sealed text: a getter over a sealed column
 * (`Order.shippingAddress`, `User.displayName`) opens it once however often an answer reads it, and opens it again
 * only when the sealed text changed (a setter, a refresh from the database).
 */
export class OpenedValues<E extends object, T> {
  private readonly opened = new WeakMap<E, { sealed: string; value: T }>();

  /**
   * The value `sealed` opens to for `entity`: remembered, or `open()` (whose failure is `unreadable()`, the field's
   * error; the opener has already logged the row and key id).
   */
  read(entity: E, sealed: string, open: () => T, unreadable: () => Error): T {
    const cached = this.opened.get(entity);
    if (cached?.sealed === sealed) return cached.value;
    let value: T;
    try {
      value = open();
    } catch {
      throw unreadable();
    }
    this.remember(entity, sealed, value);
    return value;
  }

  /** What a setter just sealed: its value needs no opening. */
  remember(entity: E, sealed: string, value: T): void {
    this.opened.set(entity, { sealed, value });
  }
}

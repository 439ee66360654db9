/**
 * Where a scripted fault strikes a request:
 * - `request`: before Stripe's API has started on it (an outage at the edge). Nothing is done and nothing is
 *   stored under its idempotency key, so a retry with the same key runs afresh.
 * - `execution`: the endpoint has started. Its idempotency key is in use (a request with the same key gets
 *   409 `idempotency_key_in_use`) and what it answers is stored and replayed.
 * - `response`: the work is done and stored; only the answer is late (a client that gives up and retries
 *   gets the replay).
 */
export type FaultStage = 'request' | 'execution' | 'response';

/** Which requests a fault applies to: an exact path (`/v1/refunds`), a pattern, or every path when absent. */
export type PathFilter = string | RegExp;

interface Rule {
  kind: 'fail' | 'hang';
  at: FaultStage;
  path?: PathFilter;
  remaining: number;
}

/** The scripted outages of one fake and the requests it is holding. */
export class Faults {
  private rules: Rule[] = [];
  private readonly held = new Set<(released: boolean) => void>();
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  add(kind: Rule['kind'], at: FaultStage, count: number, path?: PathFilter): void {
    if (!(count > 0)) throw new Error(`fake Stripe: a fault needs a positive count, not ${count}`);
    this.rules.push({ kind, at, path, remaining: count });
  }

  /** Uses up one fault that applies to `path` at this stage, if any. */
  take(at: FaultStage, path: string): Rule['kind'] | undefined {
    const rule = this.rules.find(
      (candidate) =>
        candidate.at === at &&
        (candidate.path === undefined || (typeof candidate.path === 'string' ? candidate.path === path : candidate.path.test(path))),
    );
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining === 0) this.rules = this.rules.filter((candidate) => candidate !== rule);
    return rule.kind;
  }

  /**
   * Holds a request: resolves `true` on `release()`, `false` when the fake stops or `gone` settles first
   * (the client went away while the request was held before execution: it is dropped).
   */
  hold(gone?: Promise<unknown>): Promise<boolean> {
    return new Promise((resolve) => {
      const settle = (released: boolean): void => {
        if (!this.held.delete(settle)) return;
        resolve(released);
      };
      this.held.add(settle);
      void gone?.then(() => settle(false));
      for (const waiter of this.waiters.filter((candidate) => this.held.size >= candidate.count)) waiter.resolve();
      this.waiters = this.waiters.filter((candidate) => this.held.size < candidate.count);
    });
  }

  /** Resolves once `count` requests are held at the same time. */
  whenHeld(count: number): Promise<void> {
    if (this.held.size >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  /** Lets every held request go on and holds no more (pending `hang` faults are forgotten). */
  release(): void {
    this.rules = this.rules.filter((rule) => rule.kind !== 'hang');
    for (const settle of [...this.held]) settle(true);
  }

  /** The fake is stopping: held requests are dropped, never answered. */
  dropAll(): void {
    this.rules = [];
    for (const settle of [...this.held]) settle(false);
  }
}

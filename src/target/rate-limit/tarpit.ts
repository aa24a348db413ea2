// The tarpit of refused logins: a refusal is answered only after TARPIT_HOLD_MS (whatever its Retry-After, which may
// be shorter), so a flood in a closed loop (an attacker who ignores Retry-After) sends at most one request per
// connection per second. Holding a request costs a timer and a socket, not CPU; beyond `maxHeld` at once, refusals
// are answered at once.

/** How long a refusal is held. */
export const TARPIT_HOLD_MS = 1000;
/** Held refusals per process at most. */
export const TARPIT_MAX_HELD = 2000;

/** Holds refused requests for a while, bounded in count; releaseAll() lets them all go (on close). */
export class Tarpit {
  private readonly held = new Set<() => void>();
  constructor(
    private readonly holdMs = TARPIT_HOLD_MS,
    private readonly maxHeld = TARPIT_MAX_HELD,
  ) {}

  /** Resolves after `ms` (default the hold time), at once when too many are held already or the delay is not positive. */
  hold(ms = this.holdMs): Promise<void> {
    const delayMs = Math.min(ms, this.holdMs);
    if (!(delayMs > 0) || this.held.size >= this.maxHeld) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const release = () => {
        clearTimeout(timer);
        this.held.delete(release);
        resolve();
      };
      const timer = setTimeout(release, delayMs);
      timer.unref();
      this.held.add(release);
    });
  }

  /** How many requests are held now. */
  get size(): number {
    return this.held.size;
  }

  /** Releases every held request at once (the server is closing). */
  releaseAll(): void {
    for (const release of [...this.held]) release();
  }
}

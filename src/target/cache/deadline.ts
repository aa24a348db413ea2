// A lag-tolerant deadline for Redis calls.
//
// A plain timer misfires under event-loop lag: timers run before the poll phase in each loop turn, so a reply that
// already sits in the socket buffer would be declared late. Here the timer only arms a setImmediate check, which
// runs after the poll phase, so replies that have arrived are read first. A Redis that is really hung or gone still
// costs at most about `ms`.

/** The call did not settle within its deadline. */
export class DeadlineError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'DeadlineError';
  }
}

/** Resolves or rejects like `promise`, or rejects with DeadlineError after about `ms`. */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (settled) return;
        settled = true;
        reject(new DeadlineError(ms));
      });
    }, ms);
    promise.then(
      (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

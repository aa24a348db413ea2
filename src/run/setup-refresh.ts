// Re-runs the setup journey on a period while the load runs, so values it captured that expire (access tokens)
// are renewed for every VU. A failed refresh keeps the previous values and is retried after a tenth of the period.

/** How a refresh is done and where its results go. */
export interface SetupRefreshOptions {
  everyMs: number;
  /** Runs the setup journey again; resolves with its captures. */
  refresh: () => Promise<Record<string, unknown>>;
  /** Hands fresh captures to the running load. */
  apply: (captures: Record<string, unknown>) => void;
  onError: (err: Error) => void;
  /** Ms until the first refresh (default everyMs): the period counts from the load's start, which may be later. */
  firstInMs?: number;
}

/** A running refresher. */
export interface SetupRefresher {
  /** Refreshes done so far. */
  readonly refreshes: number;
  /** Stops refreshing (a refresh in flight is discarded). */
  stop(): void;
}

/** Ms to wait before retrying a failed refresh. */
export function retryDelayMs(everyMs: number): number {
  return Math.max(1000, Math.round(everyMs / 10));
}

/** Starts refreshing every `everyMs`. */
export function startSetupRefresh(o: SetupRefreshOptions): SetupRefresher {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const state = { refreshes: 0 };
  const schedule = (ms: number) => {
    timer = setTimeout(tick, ms);
    timer.unref();
  };
  const tick = () => {
    o.refresh().then(
      (captures) => {
        if (stopped) return;
        o.apply(captures);
        state.refreshes++;
        schedule(o.everyMs);
      },
      (err: Error) => {
        if (stopped) return;
        const retryMs = retryDelayMs(o.everyMs);
        o.onError(new Error(`warning: refreshing setup failed (${err.message}); keeping the previous values, retrying in ${Math.round(retryMs / 1000)} s`));
        schedule(retryMs);
      },
    );
  };
  schedule(o.firstInMs ?? o.everyMs);
  return {
    get refreshes() {
      return state.refreshes;
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

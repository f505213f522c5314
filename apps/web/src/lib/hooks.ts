'use client';

import { useEffect, useRef, useState } from 'react';
import { createApi, type Api } from './api';
import { loadRuntimeConfig } from './runtime-config';

/** The API client, once the runtime config has arrived; retried until it does. */
export function useApi(): { api: Api | null; failed: boolean } {
  const [api, setApi] = useState<Api | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const attempt = (delay: number) => {
      loadRuntimeConfig()
        .then((config) => {
          if (!cancelled) setApi(createApi(config));
        })
        .catch(() => {
          if (cancelled) return;
          setFailed(true);
          timer = setTimeout(() => {
            attempt(Math.min(delay * 2, 30_000));
          }, delay);
        });
    };
    attempt(1_000);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, []);
  return { api, failed };
}

/** The current time, ticking every `intervalMs`, for countdowns. Null until mounted (static HTML). */
export function useNow(intervalMs = 1_000): number | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => {
      setNow(Date.now());
    }, intervalMs);
    return () => {
      clearInterval(timer);
    };
  }, [intervalMs]);
  return now;
}

/**
 * Runs `task` again and again, each time after the delay it returns, while `enabled`. The latest
 * task is read through a ref, so re-renders never restart the loop; changing `key` does.
 */
export function usePollLoop(
  task: (signal: AbortSignal) => Promise<number>,
  enabled: boolean,
  key: string,
): void {
  const taskRef = useRef(task);
  useEffect(() => {
    taskRef.current = task;
  });
  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      let delay = 5_000;
      try {
        delay = await taskRef.current(controller.signal);
      } catch {
        // The task handles its own errors; anything left over just waits for the next round.
      }
      if (!controller.signal.aborted) {
        timer = setTimeout(() => {
          void run();
        }, delay);
      }
    };
    void run();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [enabled, key]);
}

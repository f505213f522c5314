/**
 * The load generator, in its own process so that it never shares the event loop of the server it
 * measures (the same generator for every case). Receives autocannon options, sends back the figures.
 */
import autocannon from 'autocannon';

interface LoadOptions {
  url: string;
  connections: number;
  duration: number;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
}

process.once('message', (options: LoadOptions) => {
  void autocannon({ ...options, pipelining: 1 }).then((result) => {
    process.send?.({
      requests: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.non2xx,
    });
  });
});

import { collectDefaultMetrics, Registry } from 'prom-client';

let registry: Registry | null = null;

/** The web process's own /metrics: Node's default metrics with `service="web"`, created on first use. */
export function webRegistry(): Registry {
  if (registry === null) {
    registry = new Registry();
    registry.setDefaultLabels({ service: 'web' });
    collectDefaultMetrics({ register: registry });
  }
  return registry;
}

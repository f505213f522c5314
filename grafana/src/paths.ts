import { fileURLToPath } from 'node:url';

/** The grafana package folder, wherever the code runs from (tsx, vitest, another package's test). */
export const packageDir = fileURLToPath(new URL('..', import.meta.url));
export const dashboardsDir = fileURLToPath(new URL('../dashboards/', import.meta.url));
export const rulesDir = fileURLToPath(new URL('../prometheus/rules/', import.meta.url));

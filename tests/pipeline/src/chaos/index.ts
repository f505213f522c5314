export { runChaos, rowPasses, type ChaosReport } from './run.js';
export {
  readChaosSettings,
  FAULTS,
  DEFAULT_FAULTS,
  type ChaosSettings,
  type FaultName,
} from './settings.js';
export { renderReport, renderTable, COLUMNS } from './table.js';
export { checkPlaces, type PlaceRecord, type PlaceCheck } from './fairness.js';
export { FAULT_LIST, type Fault } from './faults.js';
export type { FaultRow } from './sale.js';

export { localIpRanges, maxVus } from './client-addresses.js';
export { fansPerVu, vuSecondsForJoinLimit } from './vu-sizing.js';
export { meanQuantity, minJoinsPerSecond, sizeEvent, type EventSizing } from './event-sizing.js';
export { buildK6Command, type K6Command } from './k6-command.js';
export { RunRecordSchema, writeRunRecord, type RunRecord } from './run-record.js';
export { parseThresholds, type ThresholdSummary } from './thresholds.js';

// The tiny lifecycle the stack tests play: 15 minutes in about 21 s, peaking at 200 req/s, small
// enough for a loaded 2-core CI machine. Every joiner is admitted within seconds, so the sale sells
// out early in the sustained phase and the remaining phases leave slack for slow answers.
export const TINY_SALE: Readonly<Record<string, string>> = {
  TIME_SCALE: '0.022',
  RATE_SCALE: '0.004',
  TICKETS_TOTAL: '500',
  ADMISSION_RATE_PER_SECOND: '100',
  SIM_MAX_IN_FLIGHT: '200',
  CHECKOUT_THINK_MS: '200',
  ORDER_POLL_MS: '300',
  SIM_VUS: '20',
  SIM_DRAIN_SECONDS: '30',
  SIM_PNG: '0',
  SIM_PROGRESS: 'off',
};

// The load test as k6 sees it (k6's Prometheus remote-write output, see k6/README.md), beside the
// figures the services report, so a run shows cause and effect on one screen.
import { DashboardCursorSync, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { classicDashboard, type ClassicDashboardBuilder } from './classic.ts';
import { stat, timeseries, variable } from './panels.ts';

const RUN = 'testid=~"$testid"';

export function loadTest(): ClassicDashboardBuilder {
  return classicDashboard('Frequency — load test (k6)')
    .uid('frequency-load-test')
    .description('k6 sale lifecycle runs: offered load, latency and errors as the fans see them.')
    .tags(['frequency', 'k6', 'generated'])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .refresh('10s')
    .time({ from: 'now-30m', to: 'now' })
    .timezone('browser')
    .withVariable(variable({ name: 'testid', label: 'Run', query: 'label_values(k6_vus, testid)' }))

    .withRow(new RowBuilder('Load'))
    .withPanel(
      timeseries({
        title: 'Requests per second by phase',
        description: 'k6 requests per second; the scenario label is the sale phase.',
        unit: 'reqps',
        stacked: true,
        queries: [
          {
            expr: `sum by (scenario) (rate(k6_http_reqs_total{${RUN}}[$__rate_interval]))`,
            legend: '{{scenario}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Requests per second by endpoint',
        description:
          'The request mix: joins, status polls, orders, order polls, event, availability, page.',
        unit: 'reqps',
        stacked: true,
        queries: [
          {
            expr: `sum by (endpoint) (rate(k6_http_reqs_total{${RUN}}[$__rate_interval]))`,
            legend: '{{endpoint}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Virtual users and dropped iterations',
        description:
          'VUs in use and allocated; dropped iterations mean k6 ran out of VUs and offered less than the phase rate.',
        unit: 'short',
        min: 0,
        queries: [
          { expr: `sum(k6_vus{${RUN}})`, legend: 'VUs' },
          { expr: `sum(k6_vus_max{${RUN}})`, legend: 'VUs allocated' },
          {
            // k6 writes the counter only once it drops one: 0 until then, not "no data".
            expr: `sum(rate(k6_dropped_iterations_total{${RUN}}[$__rate_interval])) or on () (0 * sum(k6_vus_max{${RUN}}))`,
            legend: 'dropped iterations/s',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Responses by status',
        description: '409 rises at sold out; anything but 2xx, 409 and 429 is unexpected.',
        unit: 'reqps',
        stacked: true,
        queries: [
          {
            expr: `sum by (status) (rate(k6_http_reqs_total{${RUN}}[$__rate_interval]))`,
            legend: '{{status}}',
          },
        ],
      }),
    )

    .withRow(new RowBuilder('Latency as fans see it'))
    .withPanel(
      timeseries({
        title: 'p99 latency by endpoint',
        description: 'Needs K6_PROMETHEUS_RW_TREND_STATS to include p(99).',
        unit: 's',
        min: 0,
        queries: [
          {
            expr: `max by (endpoint) (k6_http_req_duration_p99{${RUN}})`,
            legend: '{{endpoint}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'p95 latency by endpoint',
        description: 'Needs K6_PROMETHEUS_RW_TREND_STATS to include p(95).',
        unit: 's',
        min: 0,
        queries: [
          {
            expr: `max by (endpoint) (k6_http_req_duration_p95{${RUN}})`,
            legend: '{{endpoint}}',
          },
        ],
      }),
    )

    .withRow(new RowBuilder('Errors and sold out'))
    .withPanel(
      timeseries({
        title: 'Unexpected errors and failed requests',
        description:
          'Share of requests answered other than expected (2xx, 409, 429); the threshold is 0.1%.',
        unit: 'percentunit',
        min: 0,
        queries: [
          {
            expr: `avg by (scenario) (k6_unexpected_errors_rate{${RUN}})`,
            legend: 'unexpected {{scenario}}',
          },
          {
            expr: `avg by (scenario) (k6_http_req_failed_rate{${RUN}})`,
            legend: 'failed {{scenario}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Sold-out answers among joins and orders',
        description:
          'Share of joins and orders answered 409: near 0 at opening, most of them at sold out.',
        unit: 'percentunit',
        min: 0,
        queries: [
          {
            expr: `avg by (scenario) (k6_sold_out_responses_rate{${RUN}})`,
            legend: '{{scenario}}',
          },
        ],
      }),
    )

    .withRow(new RowBuilder('The stack under this load'))
    .withPanel(
      stat({
        title: 'Tickets remaining',
        description: 'From checkout (Redis).',
        unit: 'short',
        width: 8,
        query: { expr: 'sum(event:checkout_tickets_remaining:min)', legend: 'remaining' },
      }),
    )
    .withPanel(
      stat({
        title: 'Fans waiting',
        description: 'Fans in line across events.',
        unit: 'short',
        width: 8,
        query: { expr: 'sum(event:waiting_room_waiting:max)', legend: 'waiting' },
      }),
    )
    .withPanel(
      stat({
        title: 'Server p99 latency',
        description: 'Worst service p99, as the services measure it.',
        unit: 's',
        width: 8,
        redFrom: 0.5,
        query: { expr: 'max(service:http_request_duration_seconds:p99_1m)', legend: 'p99' },
      }),
    );
}

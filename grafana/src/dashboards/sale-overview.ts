// The dashboard ops watch during a sale: traffic, latency, errors, the queue, tickets, the
// persistence pipeline and capacity. Queries read the recording rules in
// grafana/prometheus/rules/recording.yml where one exists, so the dashboard and the alerts agree.
import { DashboardCursorSync, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { classicDashboard, type ClassicDashboardBuilder } from './classic.ts';
import { latencyHeatmap, stat, timeseries, variable } from './panels.ts';

const EVENT = 'event=~"$event"';
const SERVICE = 'service=~"$service"';

function quantile(q: number): string {
  return `histogram_quantile(${q}, sum by (service, le) (service_route_le:http_request_duration_seconds_bucket:rate1m{${SERVICE}}))`;
}

export function saleOverview(): ClassicDashboardBuilder {
  return classicDashboard('Frequency — sale overview')
    .uid('frequency-sale-overview')
    .description('Waiting room, checkout and worker during a ticket sale.')
    .tags(['frequency', 'generated'])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .refresh('10s')
    .time({ from: 'now-30m', to: 'now' })
    .timezone('browser')
    .withVariable(
      variable({
        name: 'event',
        label: 'Event',
        query: 'label_values(waiting_room_waiting, event)',
      }),
    )
    .withVariable(
      variable({ name: 'service', label: 'Service', query: 'label_values(up, service)' }),
    )

    .withRow(new RowBuilder('Traffic and latency'))
    .withPanel(
      timeseries({
        title: 'Requests per second by route',
        description: 'Every HTTP request the services answer, by service and route.',
        unit: 'reqps',
        stacked: true,
        queries: [
          {
            expr: `service_route:http_requests:rate1m{${SERVICE}}`,
            legend: '{{service}} {{route}}',
          },
        ],
      }),
    )
    .withPanel(
      latencyHeatmap({
        title: 'Latency heatmap',
        description: 'Distribution of request latency across the selected services.',
        expr: `sum by (le) (service_route_le:http_request_duration_seconds_bucket:rate1m{${SERVICE}})`,
      }),
    )
    .withPanel(
      timeseries({
        title: 'Latency p50 / p95 / p99 by service',
        description: 'Latency percentiles from the request duration histogram (1 m window).',
        unit: 's',
        min: 0,
        queries: [
          { expr: quantile(0.5), legend: '{{service}} p50' },
          { expr: quantile(0.95), legend: '{{service}} p95' },
          { expr: quantile(0.99), legend: '{{service}} p99' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'p99 latency by route',
        description: 'The slowest routes first: which endpoint moves when latency moves.',
        unit: 's',
        min: 0,
        queries: [
          {
            expr: `service_route:http_request_duration_seconds:p99_1m{${SERVICE}}`,
            legend: '{{service}} {{route}}',
          },
        ],
      }),
    )

    .withRow(new RowBuilder('Errors'))
    .withPanel(
      timeseries({
        title: 'Errors per second by status code (409 apart)',
        description:
          'Every 4xx and 5xx except 409; 429 is expected rate limiting, the rest need a look.',
        unit: 'reqps',
        stacked: true,
        queries: [
          {
            // A service without such errors shows a line at 0 ("none") instead of no data: a
            // labelled counter has no series until its first increment.
            expr: `sum by (service, status_code) (service_status_code:http_requests:rate1m{${SERVICE}, status_code=~"[45]..", status_code!="409"}) or on (service) label_replace(0 * service:http_requests:rate1m{${SERVICE}}, "status_code", "none", "", "")`,
            legend: '{{service}} {{status_code}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Rejected queue and admission tokens',
        description:
          'Forged, expired or reused tokens by kind and reason: a spike means a client bug or an attack.',
        unit: 'reqps',
        stacked: true,
        queries: [
          {
            // 0 ("none") while the waiting room answers and has rejected nothing yet.
            expr: 'sum by (kind, reason) (rate(waiting_room_token_rejections_total[$__rate_interval])) or on () label_replace(0 * sum(service:http_requests:rate1m{service="waiting-room"}), "kind", "none", "", "")',
            legend: '{{kind}} {{reason}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: '409 SOLD_OUT / INSUFFICIENT_TICKETS per second',
        description: 'Expected once tickets run out: late joins and checkouts are turned away.',
        unit: 'reqps',
        width: 8,
        queries: [
          {
            expr: `sum by (service) (service_status_code:http_requests:rate1m{${SERVICE}, status_code="409"})`,
            legend: '{{service}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Sold-out share of answers (409)',
        description:
          'Share of each service’s answers that are 409: it rises at sold out while p99 latency (above) stays flat.',
        unit: 'percentunit',
        width: 8,
        min: 0,
        queries: [
          {
            expr: `sum by (service) (service_status_code:http_requests:rate1m{${SERVICE}, status_code="409"}) / on (service) service:http_requests:rate1m{${SERVICE}}`,
            legend: '{{service}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Server error ratio',
        description:
          'Share of requests answered 5xx; the HighServerErrorRate alert fires above 0.1%.',
        unit: 'percentunit',
        width: 8,
        min: 0,
        queries: [
          { expr: `service:http_requests_5xx:ratio_rate1m{${SERVICE}}`, legend: '{{service}}' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Orders by result',
        description:
          'Checkout answers: accepted, duplicate (same admission again), sold out, insufficient.',
        unit: 'reqps',
        width: 24,
        stacked: true,
        queries: [
          { expr: `event_result:checkout_orders:rate1m{${EVENT}}`, legend: '{{event}} {{result}}' },
        ],
      }),
    )

    .withRow(new RowBuilder('Queue'))
    .withPanel(
      timeseries({
        title: 'Queue length',
        description: 'Fans in line and not yet admitted.',
        unit: 'short',
        width: 8,
        min: 0,
        queries: [{ expr: `event:waiting_room_waiting:max{${EVENT}}`, legend: '{{event}}' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Admission rate: configured vs achieved',
        description:
          'Configured rate, the rate the waiting room measures, and the rate derived from the admitted counter.',
        unit: 'short',
        width: 8,
        min: 0,
        queries: [
          {
            expr: `event:waiting_room_admission_rate_configured:max{${EVENT}}`,
            legend: '{{event}} configured',
          },
          {
            expr: `event:waiting_room_admission_rate_achieved:max{${EVENT}}`,
            legend: '{{event}} achieved',
          },
          {
            expr: `event:waiting_room_admitted:rate1m{${EVENT}}`,
            legend: '{{event}} admitted/s (counter)',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Active admissions',
        description: 'Fans admitted to checkout whose admission has not been used or expired.',
        unit: 'short',
        width: 8,
        min: 0,
        queries: [
          { expr: `event:waiting_room_active_admissions:max{${EVENT}}`, legend: '{{event}}' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Joins by result',
        description: 'Queue joins per second by outcome.',
        unit: 'reqps',
        stacked: true,
        queries: [
          {
            expr: `event_result:waiting_room_joins:rate1m{${EVENT}}`,
            legend: '{{event}} {{result}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Fans leaving the line',
        description: 'Places skipped because the fan left or stopped polling.',
        unit: 'short',
        queries: [
          {
            // 0 ("none") for an event that admits fans and has skipped nobody yet.
            expr: `sum by (event, reason) (rate(waiting_room_skipped_total{${EVENT}}[$__rate_interval])) or on (event) label_replace(0 * event:waiting_room_admitted:rate1m{${EVENT}}, "reason", "none", "", "")`,
            legend: '{{event}} {{reason}}',
          },
        ],
      }),
    )

    .withRow(new RowBuilder('Tickets'))
    .withPanel(
      stat({
        title: 'Tickets remaining',
        description: 'Lowest figure any checkout replica reports (Redis).',
        unit: 'short',
        width: 8,
        query: { expr: `event:checkout_tickets_remaining:min{${EVENT}}`, legend: '{{event}}' },
      }),
    )
    .withPanel(
      stat({
        title: 'Tickets sold',
        description: 'Tickets reserved by checkout (Redis).',
        unit: 'short',
        width: 8,
        query: { expr: `event:checkout_tickets_sold:max{${EVENT}}`, legend: '{{event}}' },
      }),
    )
    .withPanel(
      stat({
        title: 'Oversold tickets',
        description:
          'Tickets sold beyond ticketsTotal. Must stay 0; the Oversold alert pages otherwise.',
        unit: 'short',
        width: 8,
        redFrom: 1,
        query: { expr: `event:reconciliation_oversold:max{${EVENT}}`, legend: '{{event}}' },
      }),
    )
    .withPanel(
      timeseries({
        title: 'Persisted vs sold',
        description:
          'Tickets sold according to Redis, per checkout and per reconciliation, and rows persisted in the database.',
        unit: 'short',
        min: 0,
        queries: [
          {
            expr: `event:checkout_tickets_sold:max{${EVENT}}`,
            legend: '{{event}} sold (checkout)',
          },
          {
            expr: `event:reconciliation_tickets_sold:max{${EVENT}}`,
            legend: '{{event}} sold (reconciliation)',
          },
          {
            expr: `event:reconciliation_tickets_persisted:max{${EVENT}}`,
            legend: '{{event}} persisted',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Tickets remaining over time',
        description: 'The ticket counter falling through the sale.',
        unit: 'short',
        min: 0,
        queries: [{ expr: `event:checkout_tickets_remaining:min{${EVENT}}`, legend: '{{event}}' }],
      }),
    )

    .withRow(new RowBuilder('Persistence pipeline'))
    .withPanel(
      timeseries({
        title: 'Pub/Sub backlog',
        description:
          'Undelivered purchase intents on GKE (Stackdriver exporter), and messages the workers hold in flight (local and GKE).',
        unit: 'short',
        width: 8,
        min: 0,
        queries: [
          {
            expr: 'sum by (subscription_id) (stackdriver_pubsub_subscription_pubsub_googleapis_com_subscription_num_undelivered_messages{subscription_id="purchase-intents-worker"})',
            legend: 'undelivered {{subscription_id}}',
          },
          { expr: 'sum(worker_inflight_messages)', legend: 'in flight (workers)' },
          {
            expr: 'max(checkout_outbox_pending)',
            legend: 'reserved, not yet confirmed (checkout)',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Worker lag (publish to commit)',
        description: 'Time from checkout publishing a purchase intent to the worker committing it.',
        unit: 's',
        width: 8,
        min: 0,
        queries: [
          { expr: 'worker_lag_seconds:p50_1m', legend: 'p50' },
          { expr: 'worker_lag_seconds:p99_1m', legend: 'p99' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Worker messages by result',
        description:
          'Persisted, duplicates (harmless redeliveries), retried and dead-lettered messages.',
        unit: 'short',
        width: 8,
        stacked: true,
        queries: [
          { expr: 'result:worker_messages:rate1m', legend: '{{result}}' },
          {
            expr: 'sum(rate(checkout_publish_failures_total[$__rate_interval]))',
            legend: 'publish failures (checkout)',
          },
        ],
      }),
    )

    .withRow(new RowBuilder('Capacity'))
    .withPanel(
      timeseries({
        title: 'Replicas per service',
        description: 'Scraped processes per service, and Kubernetes deployment replicas on GKE.',
        unit: 'short',
        width: 8,
        min: 0,
        queries: [
          { expr: 'count by (service) (up)', legend: '{{service}} scraped' },
          { expr: 'sum by (service) (up)', legend: '{{service}} up' },
          {
            expr: 'sum by (deployment) (kube_deployment_status_replicas{deployment=~"web|waiting-room|checkout|worker"})',
            legend: '{{deployment}} (deployment)',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'CPU per service',
        description: 'CPU seconds per second, summed over replicas.',
        unit: 'short',
        width: 8,
        min: 0,
        queries: [
          {
            expr: `sum by (service) (rate(process_cpu_seconds_total{${SERVICE}}[$__rate_interval]))`,
            legend: '{{service}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Event loop lag',
        description:
          'Worst Node.js event loop lag per service: rising lag means a saturated process.',
        unit: 's',
        width: 8,
        min: 0,
        queries: [
          {
            expr: `max by (service) (nodejs_eventloop_lag_seconds{${SERVICE}})`,
            legend: '{{service}}',
          },
        ],
      }),
    );
}

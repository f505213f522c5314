// Runs inside the page headless Chromium screenshots (plain JavaScript: it is loaded as it is, with
// uPlot's IIFE build before it). It draws window.DASHBOARD, built by page.ts, the way Grafana's
// dark theme draws the same panels: time series with uPlot (stacked when the panel stacks), stat
// panels as a big last value coloured by the thresholds over a sparkline, heatmaps as cells, and
// the table legend with the panel's calcs. It sets document.body.dataset.drawn when done.
/* global uPlot, document, window */
(function draw() {
  const model = window.DASHBOARD;
  const PALETTE = [
    '#73BF69',
    '#F2CC0C',
    '#8AB8FF',
    '#FF780A',
    '#F2495C',
    '#5794F2',
    '#B877D9',
    '#705DA0',
    '#37872D',
    '#FADE2A',
    '#447EBC',
    '#C15C17',
    '#890F02',
    '#0A437C',
    '#6D1F62',
    '#584477',
    '#B7DBAB',
    '#F4D598',
    '#70DBED',
    '#F9BA8F',
    '#F29191',
    '#82B5D8',
    '#E5A8E2',
    '#AEA2E0',
  ];
  const NAMED = {
    green: '#73BF69',
    red: '#F2495C',
    yellow: '#FADE2A',
    orange: '#FF9830',
    blue: '#5794F2',
    purple: '#B877D9',
    transparent: 'rgba(0,0,0,0)',
    text: '#ccccdc',
  };
  const colour = (name) => NAMED[name] || name;
  const AXIS = {
    stroke: '#9fa7b3',
    grid: { stroke: 'rgba(204,204,220,0.07)', width: 1 },
    ticks: { stroke: 'rgba(204,204,220,0.07)', width: 1 },
    font: '11px Inter, DejaVu Sans, sans-serif',
  };

  function scaled(value, steps, suffixes, decimals) {
    let i = 0;
    let v = value;
    while (Math.abs(v) >= steps && i < suffixes.length - 1) {
      v /= steps;
      i += 1;
    }
    return `${trim(v, decimals)}${suffixes[i]}`;
  }
  function trim(v, decimals) {
    if (v === 0) return '0';
    const d =
      decimals !== undefined ? decimals : Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
    return String(Number(v.toFixed(d)));
  }
  /** Grafana's units used by these dashboards: short, reqps, s, percentunit. */
  function format(unit, value) {
    if (value === null || value === undefined || !Number.isFinite(value)) return '-';
    switch (unit) {
      case 'reqps':
        return `${scaled(value, 1000, ['', ' K', ' Mil', ' Bil'])} req/s`;
      case 'percentunit':
        return `${trim(value * 100)}%`;
      case 's': {
        const a = Math.abs(value);
        if (a === 0) return '0 s';
        if (a < 1e-3) return `${trim(value * 1e6)} µs`;
        if (a < 1) return `${trim(value * 1e3)} ms`;
        if (a < 60) return `${trim(value)} s`;
        return `${trim(value / 60)} min`;
      }
      case 'none':
        return trim(value);
      default:
        return scaled(value, 1000, ['', ' K', ' Mil', ' Bil', ' Tri']);
    }
  }
  function thresholdColour(steps, value) {
    let chosen = steps[0] ? steps[0].color : 'green';
    for (const step of steps) if (step.value === null || value >= step.value) chosen = step.color;
    return colour(chosen);
  }
  function alpha(hex, a) {
    const n = parseInt(hex.slice(1), 16);
    return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${a})`;
  }
  function lastNotNull(values) {
    for (let i = values.length - 1; i >= 0; i -= 1) if (values[i] !== null) return values[i];
    return null;
  }
  function calc(name, values) {
    const present = values.filter((v) => v !== null);
    if (present.length === 0) return null;
    switch (name) {
      case 'lastNotNull':
      case 'last':
        return lastNotNull(values);
      case 'max':
        return Math.max(...present);
      case 'min':
        return Math.min(...present);
      case 'mean':
        return present.reduce((a, b) => a + b, 0) / present.length;
      default:
        return null;
    }
  }
  const CALC_TITLE = { lastNotNull: 'Last *', last: 'Last', max: 'Max', min: 'Min', mean: 'Mean' };
  const timeAxis = () => ({
    ...AXIS,
    values: (u, splits) =>
      splits.map((t) => {
        const d = new Date(t * 1000);
        return `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}:${String(d.getUTCSeconds()).padStart(2, '0')}`;
      }),
  });

  function legendTable(container, panel, series, colours, unit) {
    const legend = (panel.options && panel.options.legend) || {};
    if (legend.showLegend === false || legend.displayMode === 'hidden') return;
    const calcs = legend.calcs || [];
    const table = document.createElement('table');
    table.className = 'legend';
    if (calcs.length > 0) {
      const head = table.insertRow();
      head.insertCell().textContent = '';
      for (const c of calcs) head.insertCell().textContent = CALC_TITLE[c] || c;
      head.className = 'head';
    }
    series.forEach((s, i) => {
      const row = table.insertRow();
      const name = row.insertCell();
      name.innerHTML = `<span class="swatch" style="background:${colours[i]}"></span>`;
      name.appendChild(document.createTextNode(s.name));
      for (const c of calcs) row.insertCell().textContent = format(unit, calc(c, s.values));
    });
    container.appendChild(table);
  }

  function timeseries(body, item) {
    const { panel, times, series } = item;
    const defaults = (panel.fieldConfig && panel.fieldConfig.defaults) || {};
    const custom = defaults.custom || {};
    const unit = defaults.unit || 'short';
    const stacked = custom.stacking && custom.stacking.mode === 'normal';
    const colours = series.map((_, i) => PALETTE[i % PALETTE.length]);
    const chart = document.createElement('div');
    body.appendChild(chart);
    legendTable(body, panel, series, colours, unit);
    const legendEl = body.querySelector('table.legend');
    const legendHeight = legendEl ? Math.min(legendEl.offsetHeight, body.clientHeight * 0.45) : 0;
    if (legendEl) {
      legendEl.style.maxHeight = `${legendHeight}px`;
    }
    let data = series.map((s) => s.values);
    if (stacked) {
      const running = times.map(() => 0);
      data = series.map((s) =>
        s.values.map((v, t) => {
          if (v === null) return null;
          running[t] += v;
          return running[t];
        }),
      );
    }
    const fillOpacity = (custom.fillOpacity !== undefined ? custom.fillOpacity : 0) / 100;
    const opts = {
      width: body.clientWidth,
      height: Math.max(60, body.clientHeight - legendHeight - 4),
      legend: { show: false },
      cursor: { show: false },
      scales: {
        x: { time: true },
        y: { range: (u, min, max) => [Math.min(0, min), max > 0 ? max * 1.05 : 1] },
      },
      axes: [
        timeAxis(),
        { ...AXIS, size: 64, values: (u, splits) => splits.map((v) => format(unit, v)) },
      ],
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.name,
          stroke: colours[i],
          width: custom.lineWidth || 1,
          spanGaps: false,
          points: { show: false },
          fill:
            fillOpacity > 0 && (!stacked || i === 0) ? alpha(colours[i], fillOpacity) : undefined,
        })),
      ],
      bands: stacked
        ? series
            .slice(1)
            .map((_, i) => ({ series: [i + 2, i + 1], fill: alpha(colours[i + 1], fillOpacity) }))
        : [],
    };
    const steps = defaults.thresholds ? defaults.thresholds.steps : [];
    const style = custom.thresholdsStyle ? custom.thresholdsStyle.mode : 'off';
    if (style !== 'off' && steps.length > 1) {
      opts.hooks = {
        draw: [
          (u) => {
            const ctx = u.ctx;
            for (const step of steps) {
              if (step.value === null) continue;
              const y = u.valToPos(step.value, 'y', true);
              ctx.save();
              ctx.strokeStyle = colour(step.color);
              ctx.setLineDash([10, 10]);
              ctx.beginPath();
              ctx.moveTo(u.bbox.left, y);
              ctx.lineTo(u.bbox.left + u.bbox.width, y);
              ctx.stroke();
              ctx.restore();
            }
          },
        ],
      };
    }
    new uPlot(opts, [times, ...data], chart);
  }

  function stat(body, item) {
    const { panel, times, series } = item;
    const defaults = (panel.fieldConfig && panel.fieldConfig.defaults) || {};
    const unit = defaults.unit || 'short';
    const steps = defaults.thresholds
      ? defaults.thresholds.steps
      : [{ value: null, color: 'green' }];
    const reduce =
      (panel.options && panel.options.reduceOptions && panel.options.reduceOptions.calcs[0]) ||
      'lastNotNull';
    const graph = !panel.options || panel.options.graphMode !== 'none';
    body.classList.add('stats');
    for (const s of series) {
      const value = calc(reduce, s.values);
      const c = thresholdColour(steps, value === null ? -Infinity : value);
      const cell = document.createElement('div');
      cell.className = 'stat-cell';
      body.appendChild(cell);
      const width = body.clientWidth / series.length;
      cell.style.width = `${width}px`;
      if (graph) {
        const spark = document.createElement('div');
        spark.className = 'spark';
        cell.appendChild(spark);
        new uPlot(
          {
            width,
            height: Math.round(body.clientHeight * 0.5),
            legend: { show: false },
            cursor: { show: false },
            axes: [{ show: false }, { show: false }],
            scales: {
              x: { time: false },
              y: { range: (u, min, max) => [Math.min(0, min), max > 0 ? max : 1] },
            },
            series: [{}, { stroke: c, fill: alpha(c, 0.15), width: 1, points: { show: false } }],
          },
          [times, s.values],
          spark,
        );
      }
      const text = document.createElement('div');
      text.className = 'value';
      text.style.color = c;
      text.textContent = format(unit, value);
      cell.appendChild(text);
      if (series.length > 1 || s.name) {
        const label = document.createElement('div');
        label.className = 'label';
        label.textContent = s.name;
        cell.appendChild(label);
      }
    }
  }

  function heatmap(body, item) {
    const { panel, times, series, buckets } = item;
    const unit = (panel.options && panel.options.yAxis && panel.options.yAxis.unit) || 'short';
    const exponent = (panel.options && panel.options.color && panel.options.color.exponent) || 0.5;
    let max = 0;
    for (const s of series) for (const v of s.values) if (v !== null && v > max) max = v;
    const bucketLabel = (i) => (buckets[i] === Infinity ? '+Inf' : format(unit, buckets[i]));
    const chart = document.createElement('div');
    body.appendChild(chart);
    const scaleHeight = 22;
    new uPlot(
      {
        width: body.clientWidth,
        height: body.clientHeight - scaleHeight,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: true }, y: { time: false, range: [0, buckets.length] } },
        axes: [
          timeAxis(),
          {
            ...AXIS,
            size: 64,
            incrs: [1, 2, 3, 4, 5, 10],
            values: (u, splits) =>
              splits.map((v) => (Number.isInteger(v) && v < buckets.length ? bucketLabel(v) : '')),
          },
        ],
        series: [{}, { paths: () => null, points: { show: false } }],
        hooks: {
          draw: [
            (u) => {
              const ctx = u.ctx;
              const stepPx =
                times.length > 1
                  ? Math.abs(u.valToPos(times[1], 'x', true) - u.valToPos(times[0], 'x', true))
                  : 4;
              series.forEach((s, b) => {
                const y0 = u.valToPos(b + 1, 'y', true);
                const y1 = u.valToPos(b, 'y', true);
                s.values.forEach((v, t) => {
                  if (v === null || v <= 0 || max === 0) return;
                  const k = Math.pow(v / max, exponent);
                  ctx.fillStyle = `rgba(${Math.round(120 + 135 * k)},${Math.round(50 + 100 * k)},${Math.round(10 + 10 * k)},${0.25 + 0.75 * k})`;
                  const x = u.valToPos(times[t], 'x', true);
                  ctx.fillRect(
                    x - stepPx / 2,
                    y0,
                    Math.max(1, stepPx - 1),
                    Math.max(1, y1 - y0 - 1),
                  );
                });
              });
            },
          ],
        },
      },
      [times, times.map(() => null)],
      chart,
    );
    const scale = document.createElement('div');
    scale.className = 'heat-scale';
    scale.innerHTML = `<span>0</span><span class="ramp"></span><span>${format('reqps', max)}</span>`;
    body.appendChild(scale);
  }

  const root = document.getElementById('dashboard');
  for (const item of model.panels) {
    const el = document.createElement('div');
    el.className = `panel ${item.panel.type}`;
    Object.assign(el.style, {
      left: `${item.box.left}px`,
      top: `${item.box.top}px`,
      width: `${item.box.width}px`,
      height: `${item.box.height}px`,
    });
    const title = document.createElement('div');
    title.className = 'title';
    title.textContent = item.panel.title;
    el.appendChild(title);
    root.appendChild(el);
    if (item.panel.type === 'row') continue;
    const body = document.createElement('div');
    body.className = 'body';
    el.appendChild(body);
    if (item.panel.type === 'timeseries') timeseries(body, item);
    else if (item.panel.type === 'stat') stat(body, item);
    else if (item.panel.type === 'heatmap') heatmap(body, item);
  }
  document.body.dataset.drawn = 'yes';
})();

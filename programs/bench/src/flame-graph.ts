/**
 * Flame graphs from V8 CPU profiles (`node --cpu-prof`), drawn as SVG and written as PNG by headless
 * Chromium, plus where the main thread's time went, by part of the stack.
 *
 *   pnpm --filter @frequency/bench flame -- --profile X.cpuprofile --out docs/performance/x.png \
 *     [--title T] [--from S --to S] [--requests N]
 *
 * `--from`/`--to` keep the samples between two offsets (seconds from the profile's start), so one
 * profile of a process that served several loads in turn gives one graph per load. `--requests`
 * (the requests served in that window) turns the breakdown into µs per request. `--timeline`
 * prints only how busy the main thread was in each second, to find those windows.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

interface Frame {
  name: string;
  part: string;
  self: number;
  total: number;
  children: Map<string, Frame>;
}

/**
 * The parts a request's time is told apart by, first match wins: a frame belongs to the package
 * (or Node's own module) its code is in.
 */
const parts: [string, RegExp][] = [
  ['serialisation', /fast-json-stringify|fast-uri|json-stringify|\/serializer\./],
  ['validation', /\/zod\/|fastify-type-provider-zod|ajv/],
  ['metrics', /prom-client/],
  ['logging', /\/pino|\/logger\./],
  ['token check (crypto, jose)', /\/jose\/|node:internal\/crypto|\/admission\/|\/tokens\//],
  ['Redis client', /ioredis|redis-parser|cluster-key-slot|denque/],
  ['Pub/Sub client (gRPC)', /@grpc|google-gax|@google-cloud|protobufjs|google-auth/],
  ['security headers (helmet), CORS', /helmet|\/cors\./],
  ['Fastify routing and hooks', /\/fastify\/|find-my-way|avvio|light-my-request|@fastify\//],
  [
    'HTTP and sockets (Node)',
    /node:_http|node:http|node:net|node:stream|node:internal\/(streams|http|net|stream_base|url)/,
  ],
  ['our code', /\/(apps|packages)\/[^/]+\/src\//],
  ['other Node internals', /^node:/],
  ['other packages', /node_modules/],
];

/**
 * A frame without a file (a V8 builtin such as JSON.stringify, a native binding such as writev,
 * code made by eval such as fast-json-stringify's) counts for the part that called it.
 */
function partOf(frame: ProfileNode['callFrame'], caller: string): string {
  if (frame.functionName === '(garbage collector)') return 'garbage collection';
  if (frame.functionName === '(program)') return 'V8 and native (program)';
  if (frame.url === '') return caller === 'root' ? 'V8 and native (program)' : caller;
  for (const [name, pattern] of parts) if (pattern.test(frame.url)) return name;
  return 'other';
}

function label(frame: ProfileNode['callFrame']): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(
    frame.url,
  );
  const where =
    pkg?.[1] ?? frame.url.replace(/^.*\/(apps|packages)\//, '$1/').replace(/^file:\/\//, '');
  return `${name} ${where}:${frame.lineNumber + 1}`;
}

/** The call tree, merged by label, with the samples taken between `from` and `to` (µs). */
function buildTree(profile: CpuProfile, fromUs: number, toUs: number) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const hits = new Map<number, number>();
  let t = 0;
  let idle = 0;
  profile.samples.forEach((id, index) => {
    t += profile.timeDeltas[index] ?? 0;
    if (t < fromUs || t > toUs) return;
    if (byId.get(id)?.callFrame.functionName === '(idle)') idle += 1;
    else hits.set(id, (hits.get(id) ?? 0) + 1);
  });
  const root: Frame = { name: 'all', part: 'root', self: 0, total: 0, children: new Map() };
  const selfByPart = new Map<string, number>();
  for (const [id, count] of hits) {
    const path: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at);
      if (node && node.callFrame.functionName !== '(root)') path.unshift(node);
    }
    let frame = root;
    root.total += count;
    for (const node of path) {
      const key = label(node.callFrame);
      let child = frame.children.get(key);
      if (!child) {
        child = {
          name: key,
          part: partOf(node.callFrame, frame.part),
          self: 0,
          total: 0,
          children: new Map(),
        };
        frame.children.set(key, child);
      }
      child.total += count;
      frame = child;
    }
    frame.self += count;
    selfByPart.set(frame.part, (selfByPart.get(frame.part) ?? 0) + count);
  }
  const samples = root.total + idle;
  const sampleUs = samples > 0 ? (Math.min(toUs, t) - Math.max(0, fromUs)) / samples : 0;
  return { root, selfByPart, busy: root.total, idle, sampleUs };
}

const palette: Record<string, string> = {
  serialisation: '#e5a50a',
  validation: '#c061cb',
  metrics: '#26a269',
  logging: '#62a0ea',
  'token check (crypto, jose)': '#e01b24',
  'Redis client': '#a51d2d',
  'Pub/Sub client (gRPC)': '#1c71d8',
  'security headers (helmet), CORS': '#986a44',
  'Fastify routing and hooks': '#f6d32d',
  'HTTP and sockets (Node)': '#9a9996',
  'our code': '#ff7800',
  'other Node internals': '#c0bfbc',
  'other packages': '#8ff0a4',
  'garbage collection': '#77767b',
  'V8 and native (program)': '#deddda',
  other: '#ffffff',
};

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function svgOf(root: Frame, title: string, legend: string[]): string {
  const width = 1600;
  const row = 17;
  const rects: string[] = [];
  let depth = 0;
  const draw = (frame: Frame, x: number, level: number, scale: number) => {
    depth = Math.max(depth, level);
    const w = frame.total * scale;
    if (w < 0.5) return;
    rects.push(
      `<g data-level="${level}"><rect x="${x.toFixed(1)}" width="${w.toFixed(1)}" height="${row - 1}" fill="${palette[frame.part] ?? '#fff'}"><title>${escape(frame.name)} (${frame.total})</title></rect>` +
        (w > 40
          ? `<text x="${(x + 3).toFixed(1)}" font-size="11" dy="12" textLength="${Math.min(w - 6, frame.name.length * 6.2).toFixed(0)}" lengthAdjust="spacingAndGlyphs">${escape(frame.name.slice(0, Math.floor(w / 6.2)))}</text>`
          : '') +
        '</g>',
    );
    let cx = x;
    for (const child of [...frame.children.values()].sort((a, b) => b.total - a.total)) {
      draw(child, cx, level + 1, scale);
      cx += child.total * scale;
    }
  };
  draw(root, 0, 0, width / Math.max(1, root.total));
  const top = 40 + legend.length * 16;
  const height = top + (depth + 1) * row + 10;
  // Flame graph: the root at the bottom, callees above their callers.
  const placed = rects.map((r) =>
    r.replace(/<g data-level="(\d+)">/, (_m, level: string) => {
      const y = height - 10 - (Number(level) + 1) * row;
      return `<g transform="translate(0,${y})">`;
    }),
  );
  const legendRows = legend.map(
    (line, i) => `<text x="4" y="${40 + i * 16}" font-size="12">${escape(line)}</text>`,
  );
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="monospace">` +
    `<rect width="100%" height="100%" fill="#fff"/><text x="4" y="20" font-size="16" font-weight="bold">${escape(title)}</text>` +
    legendRows.join('') +
    placed.join('') +
    '</svg>'
  );
}

/** Per second of the profile: the share of samples that were not idle. */
function timeline(profile: CpuProfile): string[] {
  const idleIds = new Set(
    profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id),
  );
  const seconds: { busy: number; all: number }[] = [];
  let t = 0;
  profile.samples.forEach((id, index) => {
    t += profile.timeDeltas[index] ?? 0;
    const second = Math.floor(t / 1e6);
    seconds[second] ??= { busy: 0, all: 0 };
    const slot = seconds[second];
    slot.all += 1;
    if (!idleIds.has(id)) slot.busy += 1;
  });
  return seconds.map(
    (s, i) =>
      `${String(i).padStart(4)} s ${'#'.repeat(Math.round((50 * s.busy) / Math.max(1, s.all)))}`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      profile: { type: 'string' },
      out: { type: 'string' },
      title: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      requests: { type: 'string' },
      timeline: { type: 'boolean' },
    },
  });
  if (!values.profile) throw new Error('--profile is required');
  const profile = JSON.parse(readFileSync(values.profile, 'utf8')) as CpuProfile;
  if (values.timeline) {
    process.stdout.write(`${timeline(profile).join('\n')}\n`);
    return;
  }
  if (!values.out) throw new Error('--out is required');
  const fromUs = Number(values.from ?? 0) * 1e6;
  const toUs = values.to === undefined ? Number.POSITIVE_INFINITY : Number(values.to) * 1e6;
  const { root, selfByPart, busy, idle, sampleUs } = buildTree(profile, fromUs, toUs);
  const requests = Number(values.requests ?? 0);
  const rows = [...selfByPart.entries()].sort((a, b) => b[1] - a[1]);
  const summary = rows.map(([part, count]) => {
    const share = (100 * count) / Math.max(1, busy);
    const perRequest = requests > 0 ? ` ${((count * sampleUs) / requests).toFixed(1)} µs/req` : '';
    return `${part.padEnd(34)} ${share.toFixed(1).padStart(5)} %${perRequest}`;
  });
  const busyShare = (100 * busy) / Math.max(1, busy + idle);
  const head =
    `main thread busy ${busyShare.toFixed(0)} % of the window` +
    (requests > 0 ? `, ${((busy * sampleUs) / requests).toFixed(1)} µs per request` : '');
  process.stdout.write(`${values.title ?? values.profile}\n${head}\n${summary.join('\n')}\n`);
  const legend = [head, ...summary.slice(0, 10)];
  const svg = svgOf(root, values.title ?? values.profile, legend);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 600 } });
    await page.setContent(`<body style="margin:0">${svg}</body>`);
    await page.locator('svg').screenshot({ path: values.out });
  } finally {
    await browser.close();
  }
}

await main();

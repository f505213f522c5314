// Runs the benches whose figures the replay needs, one after the other (two cores cannot hold two
// benches at once), and keeps their whole output so a later render can reuse it.
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { z } from 'zod';

export interface BenchRun {
  /** Workspace package whose `bench` script runs. */
  pkg: string;
  env: Record<string, string>;
}

export interface BenchSettings {
  seconds: number;
  rounds: number;
}

/** The three benches that carry the lifecycle's endpoints, sized to take about two minutes. */
export function benchRuns(settings: BenchSettings): BenchRun[] {
  return [
    {
      pkg: '@frequency/waiting-room',
      // The memory part is not used here; a small line keeps it short.
      env: { BENCH_SECONDS: String(settings.seconds), BENCH_FANS: '20000' },
    },
    {
      pkg: '@frequency/checkout',
      env: { BENCH_SECONDS: String(settings.seconds), BENCH_ROUNDS: String(settings.rounds) },
    },
    {
      pkg: '@frequency/worker',
      env: { BENCH_ORDERS: '30000', BENCH_ROUNDS: String(settings.rounds) },
    },
  ];
}

export function loadAverageLine(label: string): string {
  const [one, five, fifteen] = loadavg().map((v) => v.toFixed(2));
  return `LOADAVG ${JSON.stringify({ label, one: Number(one), five: Number(five), fifteen: Number(fifteen) })}`;
}

/** Runs every bench and returns the combined output (BENCH and LOADAVG lines among the rest). */
export async function runBenches(
  repoRoot: string,
  runs: readonly BenchRun[],
  echo: (line: string) => void,
): Promise<string> {
  const lines: string[] = [loadAverageLine('before the benches')];
  echo(lines[0] ?? '');
  for (const run of runs) {
    const code = await new Promise<number>((resolve) => {
      const child = spawn('pnpm', ['--filter', run.pkg, 'run', '--silent', 'bench'], {
        cwd: repoRoot,
        env: { ...process.env, ...run.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const take = (chunk: Buffer) => {
        for (const line of chunk.toString('utf8').split('\n')) {
          if (line === '') continue;
          lines.push(line);
          echo(`${run.pkg.replace('@frequency/', '').padEnd(13)}│ ${line}`);
        }
      };
      child.stdout.on('data', take);
      child.stderr.on('data', take);
      child.once('error', () => {
        resolve(1);
      });
      child.once('exit', (exitCode) => {
        resolve(exitCode ?? 1);
      });
    });
    if (code !== 0) throw new Error(`${run.pkg} bench failed (exit ${code}); its output is above`);
    const after = loadAverageLine(`after ${run.pkg}`);
    lines.push(after);
    echo(after);
  }
  return `${lines.join('\n')}\n`;
}

const LoadAverageSchema = z.object({
  label: z.string(),
  one: z.number(),
  five: z.number(),
  fifteen: z.number(),
});
export type LoadAverage = z.infer<typeof LoadAverageSchema>;

export function loadAveragesFromOutput(text: string): LoadAverage[] {
  const found: LoadAverage[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('LOADAVG ')) continue;
    try {
      const parsed = LoadAverageSchema.safeParse(JSON.parse(line.slice('LOADAVG '.length)));
      if (parsed.success) found.push(parsed.data);
    } catch {
      // A damaged line is skipped; the figures do not depend on it.
    }
  }
  return found;
}

import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';

const colors = { 'waiting-room': 36, checkout: 35, worker: 33, web: 32, stack: 34 } as Record<
  string,
  number
>;
const levels: Record<string, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** Prints a child's output as readable, prefixed lines; pino JSON becomes `time LEVEL msg {fields}`. */
export function prefixLines(name: string, stream: Readable, write: (line: string) => void): void {
  const color = colors[name] ?? 37;
  const prefix = `\u001b[${color}m${name.padEnd(12)}\u001b[0m│ `;
  createInterface({ input: stream }).on('line', (line) => {
    write(prefix + formatLine(line));
  });
}

export function formatLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    const {
      time,
      level,
      msg,
      service: _service,
      severity: _severity,
      pid: _pid,
      hostname: _host,
      ...rest
    } = entry;
    const when = typeof time === 'string' ? time.slice(11, 23) : '';
    const label =
      typeof level === 'string' ? level.toUpperCase() : (levels[String(level)] ?? String(level));
    const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
    return `${when} ${label.padEnd(5)} ${typeof msg === 'string' ? msg : ''}${extra}`;
  } catch {
    return line;
  }
}

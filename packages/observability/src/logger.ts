import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export interface LoggerConfig {
  service: string;
  level?: string;
  /** Pretty, prefixed lines for a terminal; JSON otherwise (what Cloud Logging parses). */
  pretty?: boolean;
  /** Where lines go instead of stdout; tests read what a process would have logged. */
  destination?: DestinationStream;
}

/** One structured logger per process; every line carries the service name. */
export function createLogger(config: LoggerConfig): Logger {
  const options: LoggerOptions = {
    level: config.level ?? 'info',
    base: { service: config.service },
    // Cloud Logging reads `severity`; keep the numeric level out of the way.
    formatters: { level: (label) => ({ level: label, severity: label.toUpperCase() }) },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', 'buyer.email'],
      censor: '[redacted]',
    },
  };
  return config.destination ? pino(options, config.destination) : pino(options);
}

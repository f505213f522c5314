import type { FastifyBaseLogger } from 'fastify';
import {
  pino,
  type ChildLoggerOptions,
  type DestinationStream,
  type Logger,
  type LoggerOptions,
} from 'pino';

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

type LogArgs = unknown[];
type Bindings = Record<string, unknown>;

/**
 * A request's logger that becomes a pino child (bound to the request id) only when something logs
 * through it. Fastify asks for one per request; a real child per request costs more than most
 * routes' own work, and most requests never log. Every line that is written still carries `reqId`.
 */
export class RequestLogger implements FastifyBaseLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  private get real(): FastifyBaseLogger {
    this.made ??= this.parent.child(this.bindings, this.options);
    return this.made;
  }

  get level(): string {
    return this.made?.level ?? this.options.level ?? this.parent.level;
  }

  set level(level: string) {
    this.real.level = level;
  }

  fatal(...args: LogArgs): void {
    Reflect.apply(this.real.fatal, this.real, args);
  }
  error(...args: LogArgs): void {
    Reflect.apply(this.real.error, this.real, args);
  }
  warn(...args: LogArgs): void {
    Reflect.apply(this.real.warn, this.real, args);
  }
  info(...args: LogArgs): void {
    Reflect.apply(this.real.info, this.real, args);
  }
  debug(...args: LogArgs): void {
    Reflect.apply(this.real.debug, this.real, args);
  }
  trace(...args: LogArgs): void {
    Reflect.apply(this.real.trace, this.real, args);
  }
  silent(...args: LogArgs): void {
    Reflect.apply(this.real.silent, this.real, args);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real.child(bindings, options);
  }
}

/** Fastify's `childLoggerFactory`: a RequestLogger in place of a pino child per request. */
export function requestLoggerFactory(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  return new RequestLogger(logger, bindings, options);
}

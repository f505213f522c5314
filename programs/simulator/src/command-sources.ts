import { Redis } from 'ioredis';

/** Commands one source sent during the lifecycle (a script's own commands included). */
export interface CommandSource {
  /** The client's name (`CLIENT SETNAME`, the instance suffix dropped), e.g. `waiting-room`. */
  client: string;
  /** A plain command (`get`), or `script <sha8> (<first commands it calls>)`. */
  command: string;
  /** Calls of the command or script. */
  calls: number;
  /** Commands Redis processed for it: the call itself plus every command a script called. */
  commands: number;
}

/** Distinct commands named in a script's label: enough to recognise it in the service's source. */
const LABEL_COMMANDS = 5;

/**
 * Counts which client sent which commands, from MONITOR on the run's own Redis. INFO commandstats
 * (the report's total) only counts by command name; this says where they come from. A script's own
 * commands appear right after the EVALSHA that ran them (Redis runs one command at a time), tagged
 * `lua`, so they are charged to that script and its client.
 */
export class CommandSources {
  readonly #names = new Map<string, string>();
  readonly #counts = new Map<string, { calls: number; commands: number }>();
  /** Commands each script called, to label it. */
  readonly #scriptCommands = new Map<string, Set<string>>();
  #monitor: Redis | null = null;
  #current: string | null = null;
  #currentScript: string | null = null;
  #namesReadAt = 0;
  #naming: Promise<void> | null = null;

  constructor(private readonly url: string) {}

  async start(): Promise<void> {
    await this.#readNames();
    const client = new Redis(this.url, { maxRetriesPerRequest: 2, lazyConnect: true });
    const monitor = await client.monitor();
    this.#monitor = monitor;
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      this.#count(args, source);
    });
  }

  async stop(): Promise<CommandSource[]> {
    this.#monitor?.disconnect();
    this.#monitor = null;
    await this.#naming;
    return this.sources();
  }

  sources(): CommandSource[] {
    return [...this.#counts.entries()]
      .map(([key, counted]) => {
        const [address = '', command = ''] = key.split('\u0000');
        return { client: this.#nameOf(address), command: this.#label(command), ...counted };
      })
      .reduce<CommandSource[]>((merged, source) => {
        // Several connections of one service (replicas, reconnects) are one source.
        const same = merged.find((s) => s.client === source.client && s.command === source.command);
        if (same) {
          same.calls += source.calls;
          same.commands += source.commands;
        } else merged.push({ ...source });
        return merged;
      }, [])
      .sort((a, b) => b.commands - a.commands);
  }

  #count(args: string[], source: string): void {
    const name = (args[0] ?? '?').toLowerCase();
    if (source === 'lua') {
      if (this.#current) this.#bump(this.#current, 0, 1);
      if (this.#currentScript) this.#scriptCommands.get(this.#currentScript)?.add(name);
      return;
    }
    this.#current = null;
    this.#currentScript = null;
    // The same probes the report's total leaves out (INFO, CLIENT LIST: this class's own).
    if (name === 'info' || (name === 'client' && args[1]?.toLowerCase() === 'list')) return;
    const address = source.replace(/^\d+ /, '');
    if (!this.#names.has(address)) void this.#refreshNames();
    let command = name;
    if (name === 'evalsha') {
      const sha = (args[1] ?? '').slice(0, 8);
      command = `script ${sha}`;
      this.#currentScript = sha;
      if (!this.#scriptCommands.has(sha)) this.#scriptCommands.set(sha, new Set());
    }
    this.#current = `${address}\u0000${command}`;
    this.#bump(this.#current, 1, 1);
  }

  #bump(key: string, calls: number, commands: number): void {
    const counted = this.#counts.get(key) ?? { calls: 0, commands: 0 };
    counted.calls += calls;
    counted.commands += commands;
    this.#counts.set(key, counted);
  }

  #label(command: string): string {
    if (!command.startsWith('script ')) return command;
    const called = [...(this.#scriptCommands.get(command.slice(7)) ?? [])];
    const shown = called.slice(0, LABEL_COMMANDS).join(', ');
    return `${command} (${shown}${called.length > LABEL_COMMANDS ? ', …' : ''})`;
  }

  #nameOf(address: string): string {
    const name = this.#names.get(address);
    // Instances of one service differ after the colon (`waiting-room:vm-…`).
    return name ? (name.split(':')[0] ?? name) : `unnamed ${address}`;
  }

  /** A new connection appeared: read CLIENT LIST again, at most once a second. */
  #refreshNames(): Promise<void> {
    if (this.#naming || Date.now() - this.#namesReadAt < 1_000) return Promise.resolve();
    this.#naming = this.#readNames().finally(() => {
      this.#naming = null;
    });
    return this.#naming;
  }

  async #readNames(): Promise<void> {
    this.#namesReadAt = Date.now();
    const redis = new Redis(this.url, { maxRetriesPerRequest: 2 });
    try {
      const list = String(await redis.client('LIST'));
      for (const line of list.split('\n')) {
        const address = /(?:^| )addr=(\S+)/.exec(line)?.[1];
        const name = /(?:^| )name=(\S*)/.exec(line)?.[1];
        if (address && name) this.#names.set(address, name);
      }
    } finally {
      redis.disconnect();
    }
  }
}

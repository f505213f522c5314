/**
 * One way to define and call Lua scripts on Redis, for every service.
 *
 * A script is plain data: the names of its KEYS and ARGV in order, its Lua, and optionally a parser
 * of its reply. `defineCommands` loads a set of them into a client once (ioredis `defineCommand`:
 * EVALSHA afterwards, EVAL again after a NOSCRIPT) and gives back one typed function per script that
 * takes its keys and its arguments by name, so a call site can neither swap two of them nor miss one.
 *
 * ```ts
 * const commands = defineCommands(redis, { placeOrder });
 * const [outcome] = await commands.placeOrder({ config: k.config, ... }, { admissionId, ... });
 * commands.placeOrder.inPipeline(pipeline, keys, args);   // then commands.placeOrder.parse(raw)
 * ```
 *
 * Keys go through ioredis' `numberOfKeys`, so a client's keyPrefix applies to them as to any command.
 */

/** What a script's ARGV holds: Redis sees both as strings. */
export type ScriptArg = string | number;

/**
 * A script as plain data, written with `script()` or `as const` so its names stay literal types.
 * - keys: the names of KEYS[1], KEYS[2], … in order;
 * - args: the names of ARGV[1], ARGV[2], … in order;
 * - rest: the name of a variadic tail of ARGV after the named ones (field/value pairs, ids), if any;
 * - reply: turns the raw reply into the result callers get; it should throw on a reply it does not
 *   expect, so a script and its parser cannot drift apart silently;
 * - readOnly: the script writes nothing (EVALSHA_RO may run it on a replica).
 */
export interface ScriptDefinition {
  readonly keys: readonly string[];
  readonly args: readonly string[];
  readonly rest?: string;
  readonly lua: string;
  readonly reply?: (raw: unknown) => unknown;
  readonly readOnly?: boolean;
}

/** Anything scripts can be loaded into: an ioredis `Redis` or `Cluster`. */
export interface ScriptHost {
  defineCommand(
    name: string,
    definition: { lua: string; numberOfKeys?: number; readOnly?: boolean },
  ): void;
  pipeline(): { exec(): Promise<[error: Error | null, result: unknown][] | null> };
  /** Commands waiting in auto-pipelines not sent yet (0 without auto-pipelining). */
  readonly autoPipelineQueueSize: number;
}

/** A pipeline or MULTI made by a client the scripts were loaded into (after they were). */
export interface ScriptPipeline {
  exec(): Promise<unknown>;
}

export type ScriptKeys<D extends ScriptDefinition> = {
  readonly [K in D['keys'][number]]: string;
};

type RestArgs<D extends ScriptDefinition> = D extends { readonly rest: infer R extends string }
  ? string extends R
    ? never // a widened name: write the definition with script() or `as const`
    : { readonly [K in R]: readonly ScriptArg[] }
  : unknown;

export type ScriptArgs<D extends ScriptDefinition> = {
  readonly [A in D['args'][number]]: ScriptArg;
} & RestArgs<D>;

export type ScriptReply<D extends ScriptDefinition> = D extends {
  readonly reply: (raw: unknown) => infer R;
}
  ? R
  : unknown;

/** (keys) for a script without ARGV, else (keys, args). */
export type ScriptParams<D extends ScriptDefinition> = D['args'] extends readonly []
  ? D extends { readonly rest: string }
    ? [keys: ScriptKeys<D>, args: ScriptArgs<D>]
    : [keys: ScriptKeys<D>]
  : [keys: ScriptKeys<D>, args: ScriptArgs<D>];

export interface ScriptCommand<D extends ScriptDefinition> {
  (...params: ScriptParams<D>): Promise<ScriptReply<D>>;
  /**
   * Queues the script on `pipeline` and returns it, like ioredis' own pipeline methods. Its reply
   * comes back raw from `exec()`: read it with `parse`.
   */
  inPipeline<P extends ScriptPipeline>(pipeline: P, ...params: ScriptParams<D>): P;
  /** The script's reply parser (the raw reply itself when it has none). */
  parse(raw: unknown): ScriptReply<D>;
}

export type Commands<S extends Readonly<Record<string, ScriptDefinition>>> = {
  readonly [N in keyof S]: ScriptCommand<S[N]>;
};

/** Keeps the names of a definition literal, so its call sites are typed by them. */
export function script<const D extends ScriptDefinition>(definition: D): D {
  return definition;
}

/**
 * A command defined on one client. ioredis copies a client's commands into each pipeline when it
 * makes it, auto-pipelines included: an auto-pipeline made before the command was defined lacks it,
 * and a call queued into it breaks that whole batch. So until the client has no such pipeline left
 * waiting (its queue seen empty once), the command runs in a pipeline of its own.
 */
interface Loaded {
  lua: string;
  settled: boolean;
}

/** Per client: its commands by name, so two scripts cannot share a name. */
const loaded = new WeakMap<ScriptHost, Map<string, Loaded>>();
/** Per client and set of scripts: the commands built for them, so callers may ask again cheaply. */
const built = new WeakMap<ScriptHost, WeakMap<object, unknown>>();

/**
 * Loads `scripts` into `redis` under their names and returns their typed commands. Safe to call
 * again with the same client and scripts (the same commands come back), and for several sets on one
 * client; a name already taken on that client by a different Lua text throws, since ioredis would
 * silently replace the first script.
 */
export function defineCommands<const S extends Readonly<Record<string, ScriptDefinition>>>(
  redis: ScriptHost,
  scripts: S,
): Commands<S> {
  let byScripts = built.get(redis);
  if (!byScripts) {
    byScripts = new WeakMap();
    built.set(redis, byScripts);
  }
  const cached = byScripts.get(scripts);
  if (cached) return cached as Commands<S>;

  let names = loaded.get(redis);
  if (!names) {
    names = new Map();
    loaded.set(redis, names);
  }
  const commands: Record<string, unknown> = {};
  for (const [name, definition] of Object.entries(scripts)) {
    let state = names.get(name);
    if (state === undefined) {
      redis.defineCommand(name, {
        lua: definition.lua,
        numberOfKeys: definition.keys.length,
        ...(definition.readOnly === undefined ? {} : { readOnly: definition.readOnly }),
      });
      state = { lua: definition.lua, settled: redis.autoPipelineQueueSize === 0 };
      names.set(name, state);
    } else if (state.lua !== definition.lua) {
      throw new Error(`Redis command ${name} is already defined on this client by another script`);
    }
    commands[name] = buildCommand(redis, name, definition, state);
  }
  byScripts.set(scripts, commands);
  return commands as Commands<S>;
}

function buildCommand(
  redis: ScriptHost,
  name: string,
  definition: ScriptDefinition,
  state: Loaded,
): ScriptCommand<ScriptDefinition> {
  const parse = definition.reply ?? ((raw: unknown) => raw);
  const argv = (params: readonly unknown[]): ScriptArg[] => flatten(name, definition, params);
  const command = async (...params: unknown[]): Promise<unknown> => {
    const values = argv(params);
    if (!state.settled) {
      if (redis.autoPipelineQueueSize === 0) state.settled = true;
      else return parse(await alone(redis, name, values));
    }
    return parse(await Promise.resolve(invoke(redis, name, values)));
  };
  return Object.assign(command, {
    inPipeline<P extends ScriptPipeline>(pipeline: P, ...params: unknown[]): P {
      invoke(pipeline, name, argv(params));
      return pipeline;
    },
    parse,
  });
}

/** Runs one command in a pipeline of its own (made now, so it has every command defined so far). */
async function alone(redis: ScriptHost, name: string, argv: ScriptArg[]): Promise<unknown> {
  const pipeline = redis.pipeline();
  invoke(pipeline, name, argv);
  const [reply] = (await pipeline.exec()) ?? [];
  if (!reply) throw new Error(`Redis command ${name} got no reply`);
  const [err, raw] = reply;
  if (err) throw err;
  return raw;
}

/** Calls the method ioredis' `defineCommand` added to the client (and to its pipelines). */
function invoke(target: object, name: string, argv: ScriptArg[]): unknown {
  const method: unknown = Reflect.get(target, name);
  if (typeof method !== 'function') {
    throw new Error(
      `Redis command ${name} is not defined here: call defineCommands on the client before making the pipeline`,
    );
  }
  return Reflect.apply(method, target, argv);
}

/** KEYS then ARGV in the definition's order; a missing name is a bug at the call site, said so. */
function flatten(name: string, definition: ScriptDefinition, params: readonly unknown[]): ScriptArg[] {
  const [keys, args] = params;
  const out: ScriptArg[] = [];
  for (const key of definition.keys) {
    const value: unknown = Reflect.get(asObject(keys), key);
    if (typeof value !== 'string') throw new TypeError(`${name}: key ${key} is not a string`);
    out.push(value);
  }
  for (const arg of definition.args) {
    const value: unknown = Reflect.get(asObject(args), arg);
    if (!isArg(value)) throw new TypeError(`${name}: argument ${arg} is not a string or number`);
    out.push(value);
  }
  if (definition.rest !== undefined) {
    const tail: unknown = Reflect.get(asObject(args), definition.rest);
    if (!Array.isArray(tail) || !tail.every(isArg))
      throw new TypeError(`${name}: argument ${definition.rest} is not a list of strings or numbers`);
    for (const value of tail) out.push(value);
  }
  return out;
}

function asObject(value: unknown): object {
  return typeof value === 'object' && value !== null ? value : {};
}

function isArg(value: unknown): value is ScriptArg {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

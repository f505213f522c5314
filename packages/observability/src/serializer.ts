import type { FastifySerializerCompiler } from 'fastify';
import fastJson from 'fast-json-stringify';
import { ResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';

export interface ResponseSerializerOptions {
  /**
   * Also parse every response with its zod schema before writing it, and refuse (500) one that does
   * not match. Costs what zod costs per response; route tests turn it on, services leave it off.
   */
  checkWithZod?: boolean;
}

type JsonSchema = Record<string, unknown>;

/**
 * Response serialisers compiled once per route and status from the route's zod schema: zod's own
 * JSON Schema conversion (output side, every schema inlined), handed to fast-json-stringify.
 *
 * What that guarantees: the body is JSON of the schema's shape; properties the schema does not
 * name are dropped (zod strips them too); a missing required property or a value that cannot take
 * its type (a string for an integer, say) throws, and the reply is a 500. What it no longer checks
 * per response, unlike zod: enum and literal values, string formats and lengths, number ranges.
 * The handlers' return types are checked by the compiler against the same schemas, and route tests
 * run with `checkWithZod`, which refuses any response zod would refuse.
 */
export function createResponseSerializerCompiler(
  options: ResponseSerializerOptions = {},
): FastifySerializerCompiler<unknown> {
  return ({ schema, method, url }) => {
    const zodSchema = resolveSchema(schema);
    const stringify: (data: unknown) => string = fastJson(serializerSchema(zodSchema));
    const refuse = (cause: z.ZodError) => new ResponseSerializationError(method, url, { cause });
    if (options.checkWithZod) {
      return (data: unknown) => {
        const parsed = zodSchema.safeParse(data);
        if (!parsed.success) throw refuse(parsed.error);
        return stringify(parsed.data);
      };
    }
    return (data: unknown) => {
      try {
        return stringify(data);
      } catch (err) {
        throw refuse(
          new z.ZodError([
            {
              code: 'custom',
              path: [],
              message: err instanceof Error ? err.message : String(err),
              input: undefined,
            },
          ]),
        );
      }
    };
  };
}

/** The JSON Schema fast-json-stringify compiles: the zod schema's output side, nothing by reference. */
export function serializerSchema(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, {
    io: 'output',
    target: 'draft-7',
    // An empty registry: ids registered for the OpenAPI document would become $refs here.
    metadata: z.registry(),
    reused: 'inline',
    unrepresentable: 'any',
  }) as JsonSchema;
  delete json.$schema;
  return simplifyNullable(json);
}

/**
 * zod writes `x.nullable()` as `anyOf: [x, { type: 'null' }]`, which fast-json-stringify resolves
 * per value by validating each branch; `type: [t, 'null']` says the same and is written directly.
 */
function simplifyNullable(node: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties' && isRecord(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, child]) => [
          name,
          isRecord(child) ? simplifyNullable(child) : child,
        ]),
      );
    } else if (Array.isArray(value)) {
      out[key] = (value as unknown[]).map((child) =>
        isRecord(child) ? simplifyNullable(child) : child,
      );
    } else if (isRecord(value) && (key === 'items' || key === 'additionalProperties')) {
      out[key] = simplifyNullable(value);
    } else {
      out[key] = value;
    }
  }
  const branches = out.anyOf;
  if (Array.isArray(branches) && branches.length === 2) {
    const nullAt = branches.findIndex((b) => isRecord(b) && b.type === 'null' && len(b) === 1);
    const other: unknown = branches[1 - nullAt];
    if (nullAt >= 0 && isRecord(other) && typeof other.type === 'string' && !('anyOf' in other)) {
      const { anyOf: _anyOf, ...rest } = out;
      const merged: JsonSchema = { ...other, ...rest, type: [other.type, 'null'] };
      if (Array.isArray(other.enum)) merged.enum = [...(other.enum as unknown[]), null];
      return merged;
    }
  }
  return out;
}

function resolveSchema(schema: unknown): z.ZodType {
  if (schema instanceof z.ZodType) return schema;
  if (isRecord(schema) && schema.properties instanceof z.ZodType) return schema.properties;
  throw new Error(`a response schema must be a zod schema: ${JSON.stringify(schema)}`);
}

function isRecord(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function len(value: JsonSchema): number {
  return Object.keys(value).length;
}

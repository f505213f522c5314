import { z } from 'zod';

/**
 * The closed list of error codes of the public contract, and the one code -> status map every service
 * answers with. Adding a code is a contract change: add it here and nowhere else.
 */
export const errorStatus = {
  VALIDATION_FAILED: 422,
  MALFORMED_REQUEST: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  TOKEN_INVALID: 401,
  TOKEN_EXPIRED: 401,
  UNAUTHORIZED: 401,
  ADMISSION_USED: 403,
  ADMISSION_REVOKED: 403,
  CHALLENGE_FAILED: 403,
  NOT_FOUND: 404,
  EVENT_EXISTS: 409,
  EVENT_NOT_OPEN: 409,
  SOLD_OUT: 409,
  INSUFFICIENT_TICKETS: 409,
  BUYER_LIMIT: 409,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;
export const errorCodes = Object.keys(errorStatus) as [ErrorCode, ...ErrorCode[]];
export const ErrorCodeSchema = z.enum(errorCodes);

export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: ErrorCodeSchema,
      message: z.string(),
      requestId: z.string(),
      details: z
        .array(z.object({ path: z.string(), message: z.string() }))
        .optional()
        .describe('Per-field problems, for VALIDATION_FAILED'),
    }),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** The error every service throws for an expected failure; the error handler turns it into the body. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly details?: { path: string; message: string }[],
  ) {
    super(message);
    this.name = 'AppError';
    this.status = errorStatus[code];
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

import { AppError, type ErrorBody, type ErrorCode, isAppError } from '@frequency/contracts';
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
} from 'fastify-type-provider-zod';

/** Fastify's own client-error codes, mapped to the contract's closed list. */
const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MALFORMED_REQUEST',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_REQUEST',
  FST_ERR_VALIDATION: 'VALIDATION_FAILED',
};

export function errorBody(
  code: ErrorCode,
  message: string,
  requestId: string,
  details?: { path: string; message: string }[],
): ErrorBody {
  return { error: { code, message, requestId, ...(details ? { details } : {}) } };
}

export interface ErrorHandlerOptions {
  /**
   * Tells a dependency that did not answer (a Redis timeout, a lost connection) from a bug: such a
   * request gets 503 UNAVAILABLE with Retry-After, as the same request can succeed a moment later.
   */
  unavailable?: (err: Error) => boolean;
}

/**
 * The one error handler: AppError -> its status and code; validation -> 422 with per-field details;
 * Fastify's parser errors -> 4xx; a dependency that did not answer -> 503; anything else -> 500
 * without internals (logged with the request id).
 */
export const errorHandlerPlugin = fp(
  (app: FastifyInstance, options: ErrorHandlerOptions, done: () => void) => {
    app.setErrorHandler((err: FastifyError | AppError | Error, request, reply) => {
      if (isAppError(err)) {
        void reply
          .code(err.status)
          .headers(err.headers)
          .send(errorBody(err.code, err.message, request.id, err.details));
        return;
      }
      if (hasZodFastifySchemaValidationErrors(err)) {
        // Annotated: the issue type comes from a dependency of the zod provider that this package
        // cannot resolve by name.
        const issues: readonly { instancePath: string; message?: string }[] = err.validation;
        const details = issues.map((v) => ({
          path: `${err.validationContext ?? 'body'}${v.instancePath.replaceAll('/', '.')}`,
          message: v.message ?? 'invalid',
        }));
        void reply
          .code(422)
          .send(errorBody('VALIDATION_FAILED', 'the request is not valid', request.id, details));
        return;
      }
      if (isResponseSerializationError(err)) {
        request.log.error({ err }, 'response did not match its schema');
        void reply.code(500).send(errorBody('INTERNAL', 'internal error', request.id));
        return;
      }
      const code = 'code' in err ? fastifyCodes[err.code] : undefined;
      const status = 'statusCode' in err ? err.statusCode : undefined;
      if (code) {
        void reply
          .code(new AppError(code, '').status)
          .send(errorBody(code, err.message, request.id));
        return;
      }
      if (status !== undefined && status >= 400 && status < 500) {
        void reply
          .code(status === 413 ? 413 : 400)
          .send(
            errorBody(
              status === 413 ? 'PAYLOAD_TOO_LARGE' : 'MALFORMED_REQUEST',
              err.message,
              request.id,
            ),
          );
        return;
      }
      if (options.unavailable?.(err)) {
        request.log.warn({ err }, 'a dependency did not answer');
        void reply
          .code(503)
          .header('retry-after', '1')
          .send(errorBody('UNAVAILABLE', 'temporarily unavailable, try again', request.id));
        return;
      }
      request.log.error({ err }, 'unhandled error');
      void reply.code(500).send(errorBody('INTERNAL', 'internal error', request.id));
    });
    app.setNotFoundHandler((request, reply) => {
      void reply
        .code(404)
        .send(errorBody('NOT_FOUND', `no route ${request.method} ${request.url}`, request.id));
    });
    done();
  },
  { name: 'error-handler', fastify: '5.x' },
);

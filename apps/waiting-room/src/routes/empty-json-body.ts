import { AppError } from '@frequency/contracts';
import type { FastifyInstance } from 'fastify';

/**
 * Joins and challenge requests carry no body unless a challenge is redeemed, yet clients send them
 * with `content-type: application/json` and nothing after it (a fetch wrapper that always sets the
 * header, k6's `http.post(url, null, …)` with JSON headers). Fastify refuses an empty JSON body
 * (FST_ERR_CTP_EMPTY_JSON_BODY); in the plugin that calls this, an empty JSON body reads as no body
 * and anything else goes through Fastify's own parser, with its prototype-poisoning checks.
 * Content-type parsers are encapsulated, so other routes keep the default.
 *
 * Fastify hands validation `null` for a missing body, so these routes' schemas accept null; a body
 * that is literally `null` is refused here instead, where the two can still be told apart.
 */
export function acceptEmptyJsonBody(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text === '') {
      done(null, undefined);
      return;
    }
    void parse(request, text, (err, value) => {
      if (err) done(err);
      else if (value === null) done(new AppError('VALIDATION_FAILED', 'the body may not be null'));
      else done(null, value);
    });
  });
}

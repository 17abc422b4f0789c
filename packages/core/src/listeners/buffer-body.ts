import type { Readable } from 'node:stream';
import { errorCodes, type FastifyInstance } from 'fastify';
import { BodyBuffer } from './body-buffer.js';

/**
 * Takes request bodies (of the given content types, default any) as one Buffer. With a declared
 * Content-Length the buffer is allocated once and each chunk copied in as it arrives (a
 * `BodyBuffer`), so a 10 MB upload never costs the event loop one 10 MB copy at the end
 * (fastify's `parseAs: 'buffer'` joins the chunks when the body is complete). The same refusals as fastify's own parser: a body
 * over the route's `bodyLimit` (413), shorter or longer than declared, or cut off (400).
 */
export function addBufferBodyParser(app: FastifyInstance, contentType: string | string[] | RegExp = '*'): void {
  app.addContentTypeParser(contentType, (request, payload, done) => {
    const limit = request.routeOptions.bodyLimit ?? Infinity;
    const header = request.headers['content-length'];
    const declared = header === undefined ? undefined : Number(header);
    if (declared !== undefined && declared > limit) return done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE(), undefined);
    // Node's HTTP parser gives each chunk memory of its own: a body that is one chunk is kept as it is.
    const whole = declared !== undefined && Number.isSafeInteger(declared) && declared >= 0 ? new BodyBuffer(declared, { ownChunks: true }) : undefined;
    const chunks: Buffer[] = [];
    let received = 0;
    const stream = payload as Readable;

    const finish = (error: Error | undefined, body?: Buffer) => {
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onError);
      done(error ?? null, body);
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      received += bytes.length;
      if (received > limit) return finish(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
      if (!whole) return void chunks.push(bytes);
      if (!whole.add(bytes)) return finish(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
    };
    const onEnd = () => {
      if (declared !== undefined && received !== declared) return finish(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
      finish(undefined, whole ? whole.content() : Buffer.concat(chunks, received));
    };
    const onError = (error: Error & { statusCode?: number }) => {
      if (!(typeof error.statusCode === 'number' && error.statusCode >= 400)) error.statusCode = 400;
      finish(error);
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.resume();
  });
}

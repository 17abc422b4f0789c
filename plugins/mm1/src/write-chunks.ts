import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { EncodedChunks } from '@openmmsc/codec';

/**
 * Sends an answer whose body is a list of chunks (an encoded PDU: header bytes, then part bodies
 * as they are stored) without joining them into one buffer: the head and every chunk are written
 * to the socket under one cork, so they leave in one vectored write. Cheaper than a stream (no
 * Readable, no pipe) and than a copy (see bench/codec/reply.ts). The status and headers set on
 * `reply` are sent, with the Content-Length of the chunks.
 *
 * The reply is hijacked: fastify's onResponse hooks still run (when the response finishes), onSend
 * hooks do not. A client that has gone away costs nothing: writes to a closed response are
 * dropped by node, no error is raised.
 */
export function writeChunks(reply: FastifyReply, body: EncodedChunks): FastifyReply {
  reply.hijack();
  const res = reply.raw;
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) headers[name] = value;
  headers['content-length'] = body.length;
  res.cork();
  try {
    res.writeHead(reply.statusCode, headers);
    for (const chunk of body.chunks) res.write(chunk);
    res.end();
  } finally {
    res.uncork();
  }
  return reply;
}

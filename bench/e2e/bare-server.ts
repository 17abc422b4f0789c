// The ceiling: a bare fastify 5 POST route taking the same body and answering a small binary
// body, in its own process, as the MMSC would be. Started by run.ts.
import Fastify from 'fastify';

const app = Fastify({ logger: false, bodyLimit: 2 * 1024 * 1024 });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
const answer = Buffer.alloc(40, 0x80);
app.post('/mms', async (request, reply) => {
  const body = request.body as Buffer;
  reply.header('content-type', 'application/vnd.wap.mms-message');
  return reply.send(body.length > 0 ? answer : answer.subarray(0, 1));
});
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : 0;
process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}` });
process.on('message', (msg: { type: string }) => {
  if (msg.type === 'stop') void app.close().then(() => {
    process.send?.({ type: 'stopped', maxRssKb: process.resourceUsage().maxRSS });
    process.exit(0);
  });
});

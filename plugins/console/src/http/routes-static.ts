import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';

const FILES: Record<string, string> = { 'console.js': 'text/javascript; charset=utf-8', 'console.css': 'text/css; charset=utf-8' };
/** `static/` beside `src/` and `dist/`. */
const DIR = new URL('../../static/', import.meta.url);

/** The console's script and stylesheet, from the package itself (no CDN). */
export async function staticRoutes(scope: FastifyInstance): Promise<void> {
  const bodies = new Map<string, Buffer>();
  for (const name of Object.keys(FILES)) bodies.set(name, await readFile(new URL(name, DIR)));
  scope.get<{ Params: { file: string } }>('/static/:file', async (req, reply) => {
    const body = bodies.get(req.params.file);
    if (!body) return reply.code(404).send({ error: 'not found' });
    return reply.header('cache-control', 'private, max-age=300').type(FILES[req.params.file]!).send(body);
  });
}

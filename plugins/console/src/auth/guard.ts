import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../options.js';
import { csrfMatches, type Session, type Sessions } from './sessions.js';

export const COOKIE = 'openmmsc_console';
const RANK: Record<Role, number> = { view: 1, operate: 2, admin: 3 };

/**
 * Scripts, styles and images only from the console itself; no inline script, no framing, forms
 * post only back here. Part previews are served with their own, stricter policy.
 */
export const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const sessions = new WeakMap<FastifyRequest, Session>();

/** The session a guarded route runs under. */
export function sessionOf(req: FastifyRequest): Session {
  const s = sessions.get(req);
  if (!s) throw new Error('route is not guarded');
  return s;
}

export function cookieToken(req: FastifyRequest): string | undefined {
  for (const piece of (req.headers.cookie ?? '').split(';')) {
    const [name, ...rest] = piece.trim().split('=');
    if (name === COOKIE) return rest.join('=');
  }
  return undefined;
}

export function sessionCookie(token: string, opts: { path: string; secure: boolean; maxAgeMs?: number }): string {
  const parts = [`${COOKIE}=${token}`, `Path=${opts.path}`, 'HttpOnly', 'SameSite=Strict'];
  if (opts.secure) parts.push('Secure');
  if (opts.maxAgeMs !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(opts.maxAgeMs / 1000))}`);
  return parts.join('; ');
}

/** Security headers on every answer of the console's scope. */
export function securityHeaders(scope: FastifyInstance): void {
  scope.addHook('onSend', async (_req, reply, payload) => {
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    // same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on form posts, which the cross-site check must refuse.
    reply.header('referrer-policy', 'same-origin');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('cross-origin-resource-policy', 'same-origin');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
}

/**
 * A request from another site: browsers say so in `Sec-Fetch-Site` and `Origin`. Refused before
 * any session is looked at (log-in included: no one is logged in under someone else's name).
 */
export function crossSite(req: FastifyRequest): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = req.headers.origin;
  if (origin === undefined || origin === 'null') return origin === 'null';
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

const SAFE = new Set(['GET', 'HEAD']);

/**
 * preHandler for a route that needs a session of at least `role`; state-changing methods also
 * need the session's CSRF token. Pages redirect to the log-in form; the API answers 401/403 JSON.
 */
export function requireRole(store: Sessions, role: Role, loginPath: string) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const api = req.url.includes('/api/');
    const session = await store.find(cookieToken(req));
    if (!session) {
      if (!api && SAFE.has(req.method)) return reply.redirect(`${loginPath}?next=${encodeURIComponent(req.url)}`, 303);
      return reply.code(401).send({ error: 'log in first (session missing or expired)' });
    }
    if (!SAFE.has(req.method)) {
      const body = req.body as Record<string, unknown> | undefined;
      const given = req.headers['x-csrf-token'] ?? (body && typeof body === 'object' ? body._csrf : undefined);
      if (crossSite(req) || !csrfMatches(session, given)) return reply.code(403).send({ error: 'missing or wrong CSRF token' });
    }
    if (RANK[session.role] < RANK[role]) return reply.code(403).send({ error: `needs the ${role} role; ${session.user} has ${session.role}` });
    sessions.set(req, session);
    return undefined;
  };
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { cookieToken, crossSite, sessionCookie } from '../auth/guard.js';
import { DECOY_HASH, verifyPassword } from '../auth/password.js';
import type { Session } from '../auth/sessions.js';
import type { ConsoleApp } from '../app.js';
import { html, layout } from './html.js';

type LoginOutcome = { ok: true; token: string; session: Session } | { ok: false; status: number; error: string; retryAfterS?: number };

/** Log-in and log-out, as a form (pages) and as JSON (`/api/session`, for scripts). */
export function authRoutes(scope: FastifyInstance, app: ConsoleApp): void {
  const p = app.prefix;
  const loginPage = (error?: string, next = '') =>
    layout(p, 'Log in', undefined, html`${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="${p}/login" class="login"><input type="hidden" name="next" value="${next}">
<label>User <input name="user" autocomplete="username" required autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button>Log in</button></form>`);

  scope.get<{ Querystring: { next?: string } }>('/login', async (req, reply) => reply.type('text/html; charset=utf-8').send(loginPage(undefined, safeNext(p, req.query.next))));

  scope.post<{ Body: Record<string, string> }>('/login', async (req, reply) => {
    const outcome = await logIn(app, req, req.body?.user, req.body?.password);
    if (!outcome.ok) {
      if (outcome.retryAfterS) reply.header('retry-after', outcome.retryAfterS);
      return reply.code(outcome.status).type('text/html; charset=utf-8').send(loginPage(outcome.error, safeNext(p, req.body?.next)));
    }
    setCookie(app, reply, outcome.token);
    return reply.redirect(safeNext(p, req.body?.next) || `${p}/messages`, 303);
  });

  scope.post<{ Body: { user?: string; password?: string } }>('/api/session', async (req, reply) => {
    const outcome = await logIn(app, req, req.body?.user, req.body?.password);
    if (!outcome.ok) {
      if (outcome.retryAfterS) reply.header('retry-after', outcome.retryAfterS);
      return reply.code(outcome.status).send({ error: outcome.error });
    }
    setCookie(app, reply, outcome.token);
    return { user: outcome.session.user, role: outcome.session.role, csrf: outcome.session.csrf, expiresAt: outcome.session.createdAt + app.options.session.ttl };
  });

  const logOut = async (req: FastifyRequest, reply: FastifyReply, api: boolean) => {
    const token = cookieToken(req);
    const session = await app.sessions.find(token);
    const body = req.body as Record<string, unknown> | undefined;
    const given = req.headers['x-csrf-token'] ?? body?._csrf;
    if (session && (crossSite(req) || given !== session.csrf)) return reply.code(403).send({ error: 'missing or wrong CSRF token' });
    await app.sessions.close(token);
    reply.header('set-cookie', sessionCookie('', { path: p, secure: app.secureCookie, maxAgeMs: 0 }));
    return api ? reply.code(204).send() : reply.redirect(`${p}/login`, 303);
  };
  scope.post('/logout', (req, reply) => logOut(req, reply, false));
  scope.delete('/api/session', (req, reply) => logOut(req, reply, true));
}

async function logIn(app: ConsoleApp, req: FastifyRequest, user: unknown, password: unknown): Promise<LoginOutcome> {
  if (crossSite(req)) return { ok: false, status: 403, error: 'log-in from another site refused' };
  if (typeof user !== 'string' || typeof password !== 'string' || user.length === 0 || user.length > 64 || password.length > 1024) {
    return { ok: false, status: 400, error: 'user and password are required' };
  }
  const address = req.ip;
  const wait = await app.throttle.blockedFor(user, address);
  if (wait > 0) {
    app.log.warn({ user, remote: address }, 'console log-in refused: too many failures');
    return { ok: false, status: 429, error: 'too many failed log-ins; try again later', retryAfterS: Math.ceil(wait / 1000) };
  }
  const account = app.options.accounts.find((a) => a.user === user);
  // An unknown user costs the same scrypt as a known one: timing does not tell which exist.
  const good = await verifyPassword(password, account?.passwordHash ?? DECOY_HASH);
  if (!account || !good) {
    await app.throttle.failed(user, address);
    app.log.warn({ user, remote: address }, 'console log-in failed');
    return { ok: false, status: 401, error: 'wrong user or password' };
  }
  await app.throttle.succeeded(user);
  const { token, session } = await app.sessions.open(account.user, account.role);
  app.log.info({ user, role: account.role, remote: address }, 'console log-in');
  return { ok: true, token, session };
}

function setCookie(app: ConsoleApp, reply: FastifyReply, token: string): void {
  reply.header('set-cookie', sessionCookie(token, { path: app.prefix, secure: app.secureCookie }));
}

/** Only a path inside the console: never an open redirect. */
function safeNext(prefix: string, next: unknown): string {
  return typeof next === 'string' && next.startsWith(`${prefix}/`) && !next.startsWith('//') && !/[\\\r\n]/.test(next) ? next : '';
}

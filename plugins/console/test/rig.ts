import { hashPassword } from '../src/auth/password.js';
import type { ConsoleOptionsInput } from '../src/options.js';

/** A cheap scrypt cost for tests (the default takes ~50 ms per check on purpose). */
export const TEST_COST = { N: 1024, r: 8, p: 1 };

export const PASSWORDS = { alice: 'alice-secret-1', victor: 'victor-secret-1', olga: 'olga-secret-1' } as const;

/** Accounts of each role: alice (admin), olga (operate), victor (view). */
export async function testAccounts(): Promise<NonNullable<ConsoleOptionsInput['accounts']>> {
  return [
    { user: 'alice', role: 'admin', passwordHash: await hashPassword(PASSWORDS.alice, TEST_COST) },
    { user: 'olga', role: 'operate', passwordHash: await hashPassword(PASSWORDS.olga, TEST_COST) },
    { user: 'victor', role: 'view', passwordHash: await hashPassword(PASSWORDS.victor, TEST_COST) },
  ];
}

export interface Login {
  cookie: string;
  csrf: string;
}

/** Logs in through the JSON API as a script would; answers the cookie and the CSRF token. */
export async function login(base: string, user: keyof typeof PASSWORDS): Promise<Login> {
  const res = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password: PASSWORDS[user] }) });
  if (res.status !== 200) throw new Error(`log-in as ${user}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { csrf: string };
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  return { cookie, csrf: body.csrf };
}

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A certificate and its key, as files. */
export interface CertFiles {
  cert: string;
  key: string;
}

/** A throw-away PKI made with the `openssl` command line: a CA, a server certificate, client certificates. */
export interface TestPki {
  dir: string;
  /** The CA certificate (PEM file). */
  ca: string;
  /** For `localhost` and 127.0.0.1, signed by the CA. */
  server: CertFiles;
  /** One per name given, subject CN = the name, signed by the CA. */
  clients: Record<string, CertFiles>;
  /** A client certificate with CN `name` that no configured CA signed (self-signed). */
  rogue(name: string): Promise<CertFiles>;
  remove(): Promise<void>;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (error) {
    const e = error as { code?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error('openssl is not installed (apt-get install openssl)');
    throw new Error(`openssl ${args[0]} failed: ${e.stderr ?? String(error)}`);
  }
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Makes a CA, a server certificate and client certificates for `clients` in a temporary directory. */
export async function makeTestPki(clients: readonly string[] = []): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'openmmsc-pki-'));
  const p = (name: string) => join(dir, name);
  await openssl(['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=OpenMMSC Test CA', '-days', '2'], dir);
  const issue = async (name: string, cn: string, ext: string): Promise<CertFiles> => {
    await writeFile(p(`${name}.ext`), ext);
    await openssl(['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`], dir);
    await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`], dir);
    return { cert: p(`${name}.crt`), key: p(`${name}.key`) };
  };
  const server = await issue('server', 'localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  const issued: Record<string, CertFiles> = {};
  for (const name of clients) issued[name] = await issue(`client-${name}`, name, 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    ca: p('ca.crt'),
    server,
    clients: issued,
    async rogue(name) {
      await openssl(['req', '-x509', ...EC, '-keyout', `rogue-${name}.key`, '-out', `rogue-${name}.crt`, '-subj', `/CN=${name}`, '-days', '2'], dir);
      return { cert: p(`rogue-${name}.crt`), key: p(`rogue-${name}.key`) };
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Runs `curl` trusting `ca` (plus `args`: client certificate, URL…); the HTTP status and the body. */
export async function curlWithCa(ca: string, args: readonly string[]): Promise<{ status: number; body: string }> {
  try {
    const { stdout } = await run('curl', ['-sS', '--cacert', ca, '-w', '\n%{http_code}', ...args]);
    const at = stdout.lastIndexOf('\n');
    return { status: Number(stdout.slice(at + 1)), body: stdout.slice(0, at) };
  } catch (error) {
    const e = error as { code?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error('curl is not installed (apt-get install curl)');
    throw new Error(`curl failed: ${e.stderr ?? String(error)}`);
  }
}

import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The programs outside Node that some tests talk to, by the name tests ask for them. */
export type SystemComponent =
  | 'tshark'
  | 'redis-server'
  | 'xmllint'
  | 'chromium'
  | 'kannel'
  | 'clamd'
  | 'ffmpeg'
  | 'imagemagick'
  | 'swaks'
  | 'python3'
  | 'curl'
  | 'openssl'
  | 'mmsd-tng'
  | 'postgresql';

/** What is wrong with a component here, and how to put it right. */
export interface ComponentProblem {
  problem: string;
  remedy: string;
}

interface ComponentSpec {
  /** Debian packages that provide it; `apt-get install` of these is the remedy. */
  packages: string[];
  /** Commands that must be found (PATH, then the sbin and library folders Debian uses). */
  commands: string[];
  /** A finer check once the commands are found, e.g. an encoder or a module. */
  check?: (found: Record<string, string>) => string | undefined;
  /** A requirement no package fixes. */
  environment?: () => ComponentProblem | undefined;
}

function output(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000, maxBuffer: 16 * 1024 * 1024 });
  return r.status === 0 ? `${r.stdout}${r.stderr}` : '';
}

/** The Python of Debian's python3-* packages. */
export const DEBIAN_PYTHON = '/usr/bin/python3';

function debianPythonImports(...modules: string[]): boolean {
  return spawnSync(DEBIAN_PYTHON, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore' }).status === 0;
}

const FFMPEG_ENCODERS = ['libopencore_amrnb', 'aac', 'h263', 'libx264', 'libmp3lame'];

export const COMPONENTS: Record<SystemComponent, ComponentSpec> = {
  tshark: { packages: ['tshark'], commands: ['tshark', 'dumpcap'] },
  'redis-server': { packages: ['redis-server'], commands: ['redis-server'] },
  xmllint: { packages: ['libxml2-utils'], commands: ['xmllint'] },
  chromium: { packages: ['chromium'], commands: ['chromium'] },
  kannel: { packages: ['kannel', 'kannel-extras'], commands: ['bearerbox', 'wapbox', 'fakesmsc'] },
  clamd: { packages: ['clamav-daemon'], commands: ['clamd'] },
  ffmpeg: {
    packages: ['ffmpeg', 'libavcodec-extra'],
    commands: ['ffmpeg', 'ffprobe'],
    check: (found) => {
      const list = output(found.ffmpeg!, ['-hide_banner', '-encoders']);
      const lacking = FFMPEG_ENCODERS.filter((e) => !new RegExp(`^\\s*\\S+\\s+${e}\\s`, 'm').test(list));
      return lacking.length ? `ffmpeg lacks the ${lacking.join(', ')} encoder${lacking.length > 1 ? 's' : ''}` : undefined;
    },
  },
  imagemagick: {
    packages: ['imagemagick'],
    commands: ['convert'],
    check: (found) => (/^\s*HEIC\*?\s+\S+\s+rw/m.test(output(found.convert!, ['-list', 'format'])) ? undefined : 'ImageMagick cannot read and write HEIC (no libheif)'),
  },
  swaks: { packages: ['swaks'], commands: ['swaks'] },
  python3: { packages: ['python3'], commands: ['python3'] },
  curl: { packages: ['curl'], commands: ['curl'] },
  openssl: { packages: ['openssl'], commands: ['openssl'] },
  'mmsd-tng': {
    packages: ['mmsd-tng', 'dbus-daemon', 'python3-dbusmock'],
    commands: ['mmsdtng', 'dbus-daemon'],
    // python3-dbusmock installs into Debian's Python, which another python3 on PATH may shadow.
    check: () => (debianPythonImports('dbusmock', 'gi') ? undefined : 'python3-dbusmock not installed'),
    environment: () =>
      process.getuid?.() === 0 ? undefined : { problem: 'mmsd-tng needs root (it binds its sockets to the bearer interface, lo)', remedy: 'run the tests as root' },
  },
  postgresql: { packages: ['postgresql'], commands: ['initdb', 'pg_ctl', 'postgres'] },
};

/** Folders Debian installs these commands in that a non-root PATH usually lacks. */
function extraDirs(): string[] {
  const dirs = ['/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/lib/kannel/test'];
  try {
    // PostgreSQL keeps its server programs in a folder per major version; the newest first.
    const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
    dirs.push(...versions.map((v) => join('/usr/lib/postgresql', v, 'bin')));
  } catch {
    // not installed
  }
  return dirs;
}

const found = new Map<string, string | undefined>();

/**
 * The absolute path of an executable command, or undefined: the PATH first, then the folders
 * Debian uses for daemons and PostgreSQL. `CHROMIUM_PATH` names the browser explicitly.
 */
export function findCommand(command: string): string | undefined {
  if (found.has(command)) return found.get(command);
  const explicit = command === 'chromium' ? process.env.CHROMIUM_PATH : undefined;
  const candidates = explicit ? [explicit] : [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...extraDirs()].map((d) => join(d, command));
  let path: string | undefined;
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      path = c;
      break;
    } catch {
      // not here
    }
  }
  found.set(command, path);
  return path;
}

/** Components named in OPENMMSC_SYSTEM_MISSING (comma-separated, or `all`) count as missing: for testing the mechanism itself. */
function forcedMissing(name: SystemComponent): boolean {
  const list = (process.env.OPENMMSC_SYSTEM_MISSING ?? '').split(',').map((s) => s.trim());
  return list.includes('all') || list.includes(name);
}

const problems = new Map<SystemComponent, ComponentProblem | undefined>();

/** Why a component cannot be used here, or undefined when it can (checked once per process). */
export function componentProblem(name: SystemComponent): ComponentProblem | undefined {
  if (!problems.has(name)) problems.set(name, probe(name));
  return problems.get(name);
}

function probe(name: SystemComponent): ComponentProblem | undefined {
  const spec = COMPONENTS[name];
  const remedy = `apt-get install ${spec.packages.join(' ')}`;
  if (forcedMissing(name)) return { problem: `${name} not installed (OPENMMSC_SYSTEM_MISSING)`, remedy };
  const paths: Record<string, string> = {};
  const absent: string[] = [];
  for (const c of spec.commands) {
    const p = findCommand(c);
    if (p) paths[c] = p;
    else absent.push(c);
  }
  if (absent.includes(spec.commands[0]!)) return { problem: `${name} not installed`, remedy };
  if (absent.length) return { problem: `${name} incomplete (no ${absent.join(', ')})`, remedy };
  const finer = spec.check?.(paths);
  if (finer) return { problem: finer, remedy };
  return spec.environment?.();
}

import { ADAPTATION_NICENESS } from './background-priority.js';
import { converterLauncher } from './converter-launcher.js';

/** What the external converters on this machine can do, found at start. */
export interface ToolSupport {
  ffmpeg: false | { path: string; ffprobe: string; version: string; encoders: ReadonlySet<string> };
  imagemagick: false | { path: string; version: string; heic: boolean };
}

export interface ToolPaths {
  ffmpeg: string;
  ffprobe: string;
  convert: string;
  timeoutMs: number;
}

export class ToolError extends Error {
  constructor(
    message: string,
    readonly stderr = '',
  ) {
    super(message);
    this.name = 'ToolError';
  }
}

export interface RunOptions {
  input?: Uint8Array;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Largest stdout kept; more is an error. */
  maxOutput?: number;
  /** Scheduling niceness of the converter (default `ADAPTATION_NICENESS`, 10): adaptation yields the CPU to the work handsets wait for. */
  niceness?: number;
}

/**
 * Runs a program with arguments (no shell), feeding stdin and collecting stdout; kills it on
 * timeout/abort. Started by the process-wide converter launcher, off this process's event loop.
 */
export async function run(cmd: string, args: readonly string[], opts: RunOptions): Promise<{ stdout: Buffer; stderr: string }> {
  const maxOutput = opts.maxOutput ?? 256 * 1024 * 1024;
  const r = await converterLauncher.launch({ cmd, args, input: opts.input, timeoutMs: opts.timeoutMs, signal: opts.signal, maxOutput, niceness: opts.niceness ?? ADAPTATION_NICENESS });
  if (r.kind === 'error') throw new ToolError(`${cmd}: ${r.message}`);
  if (r.kind === 'killed') throw r.why === 'timeout' ? new ToolError(`${cmd} took longer than ${opts.timeoutMs} ms`, r.stderr) : new ToolError(`${cmd} aborted`);
  if (r.over) throw new ToolError(`${cmd} wrote more than ${maxOutput} bytes`);
  if (r.code === 0 && r.stdout) return { stdout: r.stdout, stderr: r.stderr };
  throw new ToolError(`${cmd} exited with ${r.code ?? r.signal}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`, r.stderr);
}

/** Finds ffmpeg/ffprobe and ImageMagick and what they can encode. Never throws. */
export async function probeTools(paths: ToolPaths): Promise<ToolSupport> {
  const timeoutMs = Math.min(paths.timeoutMs, 10_000);
  let ffmpeg: ToolSupport['ffmpeg'] = false;
  try {
    const v = await run(paths.ffmpeg, ['-hide_banner', '-version'], { timeoutMs });
    const e = await run(paths.ffmpeg, ['-hide_banner', '-encoders'], { timeoutMs });
    await run(paths.ffprobe, ['-hide_banner', '-version'], { timeoutMs });
    const encoders = new Set<string>();
    for (const line of e.stdout.toString('utf8').split('\n')) {
      const m = /^\s[VAS][.A-Z]{5}\s+(\S+)/.exec(line);
      if (m) encoders.add(m[1]!);
    }
    ffmpeg = { path: paths.ffmpeg, ffprobe: paths.ffprobe, version: /version (\S+)/.exec(v.stdout.toString())?.[1] ?? '?', encoders };
  } catch {
    ffmpeg = false;
  }
  let imagemagick: ToolSupport['imagemagick'] = false;
  try {
    const v = (await run(paths.convert, ['-version'], { timeoutMs })).stdout.toString('utf8');
    const m = /Version: ImageMagick (\S+)/.exec(v);
    if (m) {
      const formats = (await run(paths.convert, ['-list', 'format'], { timeoutMs })).stdout.toString('utf8');
      imagemagick = { path: paths.convert, version: m[1]!, heic: /^\s*HEIC\*?\s+\S+\s+r/m.test(formats) };
    }
  } catch {
    imagemagick = false;
  }
  return { ffmpeg, imagemagick };
}

/** One line for logs and `/ready`: what adapts here. */
export function describeTools(t: ToolSupport): string {
  const parts = ['images (sharp)'];
  if (t.imagemagick && t.imagemagick.heic) parts.push(`HEIC (ImageMagick ${t.imagemagick.version})`);
  else parts.push(t.imagemagick ? 'no HEIC (ImageMagick lacks libheif)' : 'no HEIC (ImageMagick convert not found)');
  if (t.ffmpeg) {
    const enc = ['libopencore_amrnb', 'aac', 'libmp3lame', 'h263', 'libx264'].filter((e) => t.ffmpeg && t.ffmpeg.encoders.has(e));
    parts.push(`audio/video (ffmpeg ${t.ffmpeg.version}: ${enc.join(', ') || 'no useful encoders'})`);
  } else parts.push('no audio/video (ffmpeg not found)');
  return parts.join('; ');
}

/** A counting semaphore: at most `n` conversions at once. */
export class Limiter {
  #active = 0;
  readonly #queue: Array<() => void> = [];
  constructor(private readonly n: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    // A released slot is handed straight to the next waiter, so no newcomer can slip in between.
    if (this.#active >= this.n) await new Promise<void>((r) => this.#queue.push(r));
    else this.#active++;
    try {
      return await fn();
    } finally {
      const next = this.#queue.shift();
      if (next) next();
      else this.#active--;
    }
  }
}

import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { componentProblem, findCommand, type SystemComponent } from './components.js';

/** The folder in which the test runner collects skips (scripts/run-tests.mjs sets it). */
export const SKIP_DIR_ENV = 'OPENMMSC_SYSTEM_SKIPS';
/** When `1`, a missing component fails the run instead of skipping (CI sets it). */
export const REQUIRE_ALL_ENV = 'OPENMMSC_REQUIRE_ALL';

/** One line of a skip record: what was missing, for which test file. */
export interface SystemSkipRecord {
  component: SystemComponent;
  /** The skip reason the tests got (the text node:test reports). */
  reason: string;
  problem: string;
  remedy: string;
  file: string | undefined;
}

const recorded = new Set<string>();

function record(entry: SystemSkipRecord): void {
  const dir = process.env[SKIP_DIR_ENV];
  const key = `${entry.component}\0${entry.reason}`;
  if (!dir || recorded.has(key)) return;
  recorded.add(key);
  appendFileSync(join(dir, `${process.pid}.jsonl`), JSON.stringify(entry) + '\n');
}

/**
 * The reason to skip tests that need these system components, or undefined when all are there.
 * Use it as node:test's `skip` option: `describe('…', { skip: requireSystem('tshark') }, …)`.
 * Each skip is recorded for the runner's summary; with OPENMMSC_REQUIRE_ALL=1 the runner fails
 * the run instead (and, outside the runner, this throws).
 */
export function requireSystem(...components: SystemComponent[]): string | undefined {
  const missing = components.map((c) => ({ component: c, ...componentProblem(c) })).filter((m) => m.problem !== undefined);
  if (!missing.length) return undefined;
  const reason = missing.map((m) => `${m.problem} — ${m.remedy}`).join('; ');
  if (process.env[REQUIRE_ALL_ENV] === '1' && !process.env[SKIP_DIR_ENV]) {
    throw new Error(`${reason} (${REQUIRE_ALL_ENV}=1: every system component must be installed)`);
  }
  for (const m of missing) record({ component: m.component, reason, problem: m.problem!, remedy: m.remedy!, file: process.argv[1] });
  return reason;
}

/** The absolute path of a component's command; throws the install line when it is missing. */
export function systemCommand(command: string, component: SystemComponent): string {
  const problem = componentProblem(component);
  const path = problem ? undefined : findCommand(command);
  if (!path) throw new Error(problem ? `${problem.problem} — ${problem.remedy}` : `${command} not found`);
  return path;
}

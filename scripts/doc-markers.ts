// Generated sections of Markdown files: the text between `<!-- NAME:start -->` and
// `<!-- NAME:end -->` is replaced by what the code renders, or (check) only compared.
import { readFileSync, writeFileSync } from 'node:fs';

/** Puts `content` between the markers of `name` in the file at `path`; true when it changed (or, with `check`, would). */
export function updateMarked(path: string, name: string, content: string, check: boolean): boolean {
  const text = readFileSync(path, 'utf8');
  const open = `<!-- ${name}:start -->`;
  const start = text.indexOf(open);
  const end = text.indexOf(`<!-- ${name}:end -->`);
  if (start < 0 || end < 0) throw new Error(`${path} lacks the ${name} markers`);
  const next = `${text.slice(0, start)}${open}\n${content}\n${text.slice(end)}`;
  if (next === text) return false;
  if (!check) writeFileSync(path, next);
  return true;
}

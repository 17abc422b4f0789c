export interface RecipientList {
  recipients: string[];
  /** Lines naming a recipient already listed (each is sent once). */
  duplicates: number;
}

/**
 * A recipient list as operators keep them: one recipient per line, the first column of a CSV
 * (`,` `;` or tab), `#` comments and blank lines ignored, each recipient once.
 */
export function parseRecipientList(text: string): RecipientList {
  const seen = new Set<string>();
  const recipients: string[] = [];
  let duplicates = 0;
  for (const line of text.split(/\r?\n/)) {
    const v = line.replace(/#.*/, '').split(/[,;\t]/)[0]!.trim();
    if (!v) continue;
    if (seen.has(v)) {
      duplicates++;
      continue;
    }
    seen.add(v);
    recipients.push(v);
  }
  return { recipients, duplicates };
}

/** `recipients` cut into batches of `size` (one submission each). */
export function batchesOf<T>(recipients: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  const n = Math.max(1, Math.floor(size));
  for (let i = 0; i < recipients.length; i += n) out.push(recipients.slice(i, i + n));
  return out;
}

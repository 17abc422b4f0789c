/**
 * Edit distance with adjacent transpositions (optimal string alignment): `levle` is one step
 * from `level`, as a typist would count it, where plain Levenshtein says two.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[(i - 2) * cols + j - 2]! + 1);
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1]!;
}

/**
 * The candidate a misspelt `name` most likely meant, or `undefined` when none is close enough to
 * be a typo (about one edit in three characters; case differences are free).
 */
export function nearestName(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // Replacing every character is not a typo, however short the name.
  const allowed = Math.min(Math.max(1, Math.floor(name.length / 3)), name.length - 1);
  return bestDistance <= allowed ? best : undefined;
}

/** `did you mean "unmatched"?`, or the valid names when none is close. */
export function suggestName(name: string, candidates: readonly string[]): string {
  const near = nearestName(name, candidates);
  if (near !== undefined) return `did you mean "${near}"?`;
  if (candidates.length === 0) return 'nothing is allowed here';
  return `expected one of: ${candidates.join(', ')}`;
}

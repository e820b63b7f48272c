/**
 * Globs of the routes file (`match.alarm`, `match.labels` values): `*` is any run of characters
 * (none included), `?` exactly one character, everything else literal (no escapes, no classes:
 * `.`, `[`, `(`, `+`... are plain characters). Anchored: the whole text must match.
 * Owns: that matching. No regular expressions: linear-ish (worst case O(text x glob)), no backtracking
 * blow-up, no escaping mistakes. Must not touch: routes, signals.
 */

/** True when `text` matches `glob` (whole string, by Unicode code point). */
export const globMatches = (glob: string, text: string): boolean => {
  const g = Array.from(glob);
  const t = Array.from(text);
  let gi = 0;
  let ti = 0;
  // Where the last `*` was in the glob, and the text position it is currently standing for.
  let star = -1;
  let starText = 0;
  while (ti < t.length) {
    const c = g[gi];
    if (c === '*') {
      star = gi;
      starText = ti;
      gi += 1;
    } else if (c !== undefined && (c === '?' || c === t[ti])) {
      gi += 1;
      ti += 1;
    } else if (star >= 0) {
      // Let the last `*` swallow one more character and try again from just after it.
      gi = star + 1;
      starText += 1;
      ti = starText;
    } else {
      return false;
    }
  }
  while (g[gi] === '*') gi += 1;
  return gi === g.length;
};

/** Whether a string uses any glob character (for display: `=` vs `~`). */
export const isGlob = (value: string): boolean => value.includes('*') || value.includes('?');

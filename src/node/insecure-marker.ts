/**
 * `regtrust insecure` marks each skip-verify setting it writes with a comment
 * carrying the expiry, so a later read (audit, agent) can report and enforce
 * it. TOML and YAML both use "#" comments; the marker sits on the line of the
 * setting or the line just above it.
 */
const MARKER = /#\s*regtrust-insecure-expires=(\S+)/;

export function insecureMarkerComment(expiresAt: Date): string {
  return `# regtrust-insecure-expires=${expiresAt.toISOString()}`;
}

/** The ISO-8601 expiry recorded next to 1-based `line`, or null. */
export function readInsecureExpiry(text: string, line: number | null): string | null {
  if (line === null) return null;
  const lines = text.split(/\r?\n/);
  for (const candidate of [lines[line - 1], lines[line - 2]]) {
    const match = candidate === undefined ? null : MARKER.exec(candidate);
    if (match?.[1] && !Number.isNaN(Date.parse(match[1]))) return match[1];
  }
  return null;
}

import type { Finding } from "../findings/finding.ts";
import type { HostFs } from "../node/host-fs.ts";
import type { Journal } from "../plan/journal.ts";

/** What every audit check needs: the node, the clock and where findings go. */
export interface AuditContext {
  fs: HostFs;
  now: Date;
  expiringDays: number;
  /** regtrust's own journal, for the expiry of insecure overrides it set; absent when not read. */
  journal: Journal | null;
  findings: Finding[];
  /** Registry names (host[:port], `_default`, `*`) seen in any config. */
  registries: Set<string>;
  /** CA files already checked, keyed by path: one file referenced twice is reported once. */
  checkedCaFiles: Set<string>;
}

/** `file` and, when known, `line`, in the shape `finding()` extras take. */
export function at(file: string, line: number | null | undefined): { file: string; line?: number } {
  return line ? { file, line } : { file };
}

/** `file:line` or `file` for messages. */
export function where(file: string, line: number | null | undefined): string {
  return line ? `${file}:${line}` : file;
}

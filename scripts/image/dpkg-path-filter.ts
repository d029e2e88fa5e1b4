/**
 * dpkg's path filters (`--path-exclude` / `--path-include`, dpkg(1)) applied
 * to a finished root file system's tar listing, for bases dpkg could not
 * filter itself: in mmdebstrap's chrootless mode dpkg reads only the build
 * host's configuration, not the `--dpkgopt` file mmdebstrap writes into the
 * target (mmdebstrap 1.3.5, "FIXME ... see #808203"; Debian bug #808203).
 *
 * The semantics are dpkg's, as dpkg(1) documents them and
 * src/main/filters.c (filter_should_skip, dpkg 1.21) implements them:
 * - each pattern is matched with fnmatch(3) and no flags, so `*` and `?`
 *   also match `/` ("'/usr/*\/READ*' matches '/usr/share/doc/package/README'");
 * - the options are applied in order and the last pattern that matches a path
 *   decides ("the last rule that matches a file name making the decision");
 * - a skipped directory or symlink is kept when an include pattern's literal
 *   prefix (up to its first `*?[\`, trailing `/` dropped) is a prefix of the
 *   path, so `path-include=/usr/share/doc/*\/copyright` keeps the directories
 *   that hold the copyright files ("might re-include more directories and
 *   symlinks than needed, to be on the safe side").
 */

export interface PathFilter {
  pattern: string;
  include: boolean;
}

export type MemberType = "dir" | "symlink" | "other";

/** `path-exclude=GLOB` / `path-include=GLOB` lines (the recipe's dpkgExcludes, dpkg.cfg(5) syntax). */
export function parsePathFilters(options: readonly string[]): PathFilter[] {
  return options.map((option) => {
    const m = /^path-(exclude|include)=(\/.*)$/.exec(option.trim());
    if (!m) throw new Error(`not a dpkg path filter (path-exclude=/GLOB or path-include=/GLOB): ${option}`);
    return { pattern: m[2]!, include: m[1] === "include" };
  });
}

/** Whether dpkg would not unpack `path` (absolute, no trailing slash) of the given type. */
export function dpkgSkips(path: string, type: MemberType, filters: readonly PathFilter[]): boolean {
  let skip = false;
  for (const f of filters) if (fnmatch(f.pattern, path)) skip = !f.include;
  if (!skip || type === "other") return skip;
  for (const f of filters) {
    if (!f.include) continue;
    const wildcard = f.pattern.search(/[*?[\\]/);
    const prefix = (wildcard < 0 ? f.pattern : f.pattern.slice(0, wildcard)).replace(/\/+$/, "");
    // strncmp(path, pattern, prefix length) == 0
    if (path.startsWith(prefix)) return false;
  }
  return true;
}

/** fnmatch(3) with flags 0: `*` any string (including `/` and leading dots), `?` one character, `[...]` a class, `\` escapes. */
export function fnmatch(pattern: string, text: string): boolean {
  return globRegExp(pattern).test(text);
}

const cache = new Map<string, RegExp>();

function globRegExp(pattern: string): RegExp {
  const cached = cache.get(pattern);
  if (cached) return cached;
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") out += "[\\s\\S]*";
    else if (c === "?") out += "[\\s\\S]";
    else if (c === "\\" && i + 1 < pattern.length) out += escapeRe(pattern[++i]!);
    else if (c === "[") {
      const end = classEnd(pattern, i);
      if (end < 0) out += "\\[";
      else {
        let body = pattern.slice(i + 1, end);
        const negate = body.startsWith("!") || body.startsWith("^");
        if (negate) body = body.slice(1);
        out += `[${negate ? "^" : ""}${body.replace(/[\\\]^]/g, (ch, at: number) => (ch === "]" && at === 0 ? "\\]" : `\\${ch}`))}]`;
        i = end;
      }
    } else out += escapeRe(c);
  }
  const re = new RegExp(`^${out}$`);
  cache.set(pattern, re);
  return re;
}

/** Index of the `]` closing the class opened at `open` (a `]` right after `[` or `[!` is a member), or -1. */
function classEnd(pattern: string, open: number): number {
  let i = open + 1;
  if (pattern[i] === "!" || pattern[i] === "^") i++;
  if (pattern[i] === "]") i++;
  return pattern.indexOf("]", i);
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

export interface TarMember {
  /** The member name as tar lists it (`./usr/share/doc/`). */
  name: string;
  /** Absolute path without trailing slash, as dpkg matches it (`/usr/share/doc`). */
  path: string;
  type: MemberType;
  /** A symlink's target as stored. */
  target?: string;
}

/**
 * Members of `tar --list --verbose --numeric-owner` output (GNU tar, default
 * quoting): the type is the mode string's first character, the name follows
 * the `YYYY-MM-DD HH:MM` time, a symlink's target after ` -> `, a hard
 * link's after ` link to `.
 */
export function parseTarListing(listing: string): TarMember[] {
  const out: TarMember[] = [];
  for (const line of listing.split("\n")) {
    if (!line) continue;
    const m = /^(\S)\S*\s+\S+\s+[\d,\s]+\s\d{4}-\d\d-\d\d \d\d:\d\d (.*)$/.exec(line);
    if (!m) throw new Error(`unexpected tar listing line: ${line}`);
    const kind = m[1]!;
    let name = m[2]!;
    let target: string | undefined;
    if (kind === "l") [name, target] = splitOnce(name, " -> ");
    if (kind === "h") [name] = splitOnce(name, " link to ");
    const path = name.replace(/^\.(?=\/|$)/, "").replace(/\/+$/, "") || "/";
    const type = kind === "d" ? "dir" : kind === "l" ? "symlink" : "other";
    out.push(target === undefined ? { name, path, type } : { name, path, type, target });
  }
  return out;
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  if (at < 0) throw new Error(`unexpected tar listing entry: ${text}`);
  return [text.slice(0, at), text.slice(at + separator.length)];
}

/**
 * The members dpkg would not have unpacked (the root itself never), plus
 * what update-alternatives would then not have made: a link in
 * /etc/alternatives to a filtered file (manual pages are slaves of awk,
 * pager, which...; update-alternatives skips a slave whose file does not
 * exist) and the administrative file of a group whose own link went with it
 * (bash's builtins.7.gz). A root-mode base has neither.
 */
export function filteredMembers(members: readonly TarMember[], filters: readonly PathFilter[]): TarMember[] {
  const dropped = members.filter((m) => m.path !== "/" && dpkgSkips(m.path, m.type, filters));
  const gone = new Set(dropped.map((m) => m.path));
  const links = members.filter(
    (m) => m.path.startsWith("/etc/alternatives/") && m.target !== undefined && gone.has(m.target),
  );
  const groups = new Set(
    links.map((m) => `/var/lib/dpkg/alternatives/${m.path.slice("/etc/alternatives/".length)}`),
  );
  return [...dropped, ...links, ...members.filter((m) => groups.has(m.path))];
}

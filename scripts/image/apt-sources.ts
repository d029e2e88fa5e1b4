/**
 * The Debian archive this machine's apt uses, for the image's base: the
 * entries of /etc/apt/sources.list{,.d} for the recipe's suite and its
 * -updates/-security suites (sources.list(5): one-line and deb822 formats).
 * Other repositories configured here (third-party vendors) are left out on
 * purpose: the image holds Debian's packages only.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface AptSource {
  uri: string;
  suite: string;
  components: string[];
}

const APT_DIR = "/etc/apt";
const FALLBACK = (suite: string): AptSource[] => [
  { uri: "http://deb.debian.org/debian", suite, components: ["main"] },
  { uri: "http://deb.debian.org/debian", suite: `${suite}-updates`, components: ["main"] },
  { uri: "http://deb.debian.org/debian-security", suite: `${suite}-security`, components: ["main"] },
];

/** Debian entries for `suite` this machine uses; Debian's own mirrors when it has none (not a Debian host). */
export function debianSources(suite: string, components: string[], aptDir = APT_DIR): AptSource[] {
  const wanted = new Set([suite, `${suite}-updates`, `${suite}-security`]);
  const found = readAllSources(aptDir)
    .filter((s) => wanted.has(s.suite))
    .map((s) => ({ ...s, components: s.components.filter((c) => components.includes(c)) }))
    .filter((s) => s.components.length > 0);
  const unique = new Map(found.map((s) => [`${s.uri.replace(/\/+$/, "")} ${s.suite}`, s]));
  return unique.size > 0 ? [...unique.values()] : FALLBACK(suite);
}

function readAllSources(aptDir: string): AptSource[] {
  const files: string[] = [];
  if (existsSync(join(aptDir, "sources.list"))) files.push(join(aptDir, "sources.list"));
  const partsDir = join(aptDir, "sources.list.d");
  if (existsSync(partsDir)) {
    for (const name of readdirSync(partsDir).sort()) {
      if (name.endsWith(".list") || name.endsWith(".sources")) files.push(join(partsDir, name));
    }
  }
  return files.flatMap((file) => {
    const text = readFileSync(file, "utf8");
    return file.endsWith(".sources") ? parseDeb822(text) : parseOneLine(text);
  });
}

/** `deb [options] uri suite component…` lines; deb-src and comments ignored. */
export function parseOneLine(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.+)$/.exec(line);
    if (m) out.push({ uri: m[1]!, suite: m[2]!, components: m[3]!.split(/\s+/) });
  }
  return out;
}

/** deb822 stanzas (Types/URIs/Suites/Components); `Enabled: no` and non-deb types skipped. */
export function parseDeb822(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last = "";
    for (const line of stanza.split("\n")) {
      if (line.startsWith("#")) continue;
      if (/^\s/.test(line) && last) fields.set(last, `${fields.get(last)} ${line.trim()}`);
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (m) {
        last = m[1]!.toLowerCase();
        fields.set(last, m[2]!.trim());
      }
    }
    if (!(fields.get("types") ?? "").split(/\s+/).includes("deb")) continue;
    if ((fields.get("enabled") ?? "yes").toLowerCase() === "no") continue;
    const components = (fields.get("components") ?? "").split(/\s+/).filter(Boolean);
    for (const uri of (fields.get("uris") ?? "").split(/\s+/).filter(Boolean)) {
      for (const suite of (fields.get("suites") ?? "").split(/\s+/).filter(Boolean)) {
        out.push({ uri, suite, components });
      }
    }
  }
  return out;
}

/** mmdebstrap mirror arguments: one `deb URI SUITE COMPONENTS` line each. */
export function mirrorLines(sources: AptSource[]): string[] {
  return sources.map((s) => `deb ${s.uri} ${s.suite} ${s.components.join(" ")}`);
}

/**
 * A fingerprint of what the archive serves now: the sha256 of each suite's
 * InRelease, fetched with apt's own downloader (apt-helper, so apt's proxy
 * configuration applies). A security update changes bookworm-security's
 * InRelease, so a cached base built before it is not reused.
 */
export async function archiveFingerprint(sources: AptSource[], workDir: string): Promise<string> {
  const hash = createHash("sha256");
  for (const [i, source] of sources.entries()) {
    const url = `${source.uri.replace(/\/+$/, "")}/dists/${source.suite}/InRelease`;
    const dest = join(workDir, `InRelease.${i}`);
    try {
      await run("/usr/lib/apt/apt-helper", ["download-file", url, dest], { timeout: 60_000 });
    } catch (error) {
      const detail = (error as { stderr?: string }).stderr?.trim() ?? String(error);
      throw new Error(`cannot fetch ${url} with apt-helper: ${detail}`);
    }
    hash.update(`${url}\n`).update(await readFile(dest));
    await rm(dest, { force: true });
  }
  return hash.digest("hex");
}

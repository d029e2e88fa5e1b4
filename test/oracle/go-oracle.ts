/**
 * Builds and runs the Go oracle (test/oracle/go/tlsverify) with Debian's Go
 * toolchains, offline: GOPATH mode (GO111MODULE=off, as Debian builds its
 * packages) and, for the newest Go, a module build (as upstream release
 * binaries are built), since the build mode decides the DefaultGODEBUG a
 * binary carries. Toolchains: Debian 12's golang-1.19-go in /usr/lib/go-1.19,
 * the others unpacked by scripts/go-toolchains.sh into its cache. Built
 * binaries are cached by source hash next to the toolchains.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type OracleCase, pem } from "./corpus/case.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const SOURCE_DIR = join(HERE, "go", "tlsverify");
const REPO = join(HERE, "..", "..");

export function cacheDir(): string {
  const base =
    process.env.REGTRUST_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "regtrust");
  return base;
}

export interface Toolchain {
  /** e.g. "go1.24-module" */
  id: string;
  goroot: string;
  mode: "gopath" | "module";
  /** Debian package it comes from, for messages and docs. */
  origin: string;
}

/** Every toolchain the suite proves; missing ones are fetched by scripts/go-toolchains.sh. */
export function toolchains(): Toolchain[] {
  const cached = (minor: string) =>
    join(cacheDir(), "go-toolchains", `go${minor}`, "usr", "lib", `go-${minor}`);
  return [
    { id: "go1.19-gopath", goroot: "/usr/lib/go-1.19", mode: "gopath", origin: "Debian 12 golang-1.19-go" },
    {
      id: "go1.21-gopath",
      goroot: cached("1.21"),
      mode: "gopath",
      origin: "bookworm-backports golang-1.21-go",
    },
    {
      id: "go1.22-gopath",
      goroot: cached("1.22"),
      mode: "gopath",
      origin: "bookworm-backports golang-1.22-go",
    },
    {
      id: "go1.23-gopath",
      goroot: cached("1.23"),
      mode: "gopath",
      origin: "bookworm-backports golang-1.23-go",
    },
    { id: "go1.24-gopath", goroot: cached("1.24"), mode: "gopath", origin: "Debian 13 golang-1.24-go" },
    { id: "go1.24-module", goroot: cached("1.24"), mode: "module", origin: "Debian 13 golang-1.24-go" },
  ];
}

/** Fetches the cached toolchains when one is missing (idempotent; a few seconds when cached). */
export function ensureToolchains(): void {
  if (toolchains().every((t) => existsSync(join(t.goroot, "bin", "go")))) return;
  const run = spawnSync("sh", [join(REPO, "scripts", "go-toolchains.sh")], {
    encoding: "utf8",
    timeout: 600_000,
  });
  if (run.status !== 0) throw new Error(`scripts/go-toolchains.sh failed: ${run.stderr}`);
}

function goEnv(t: Toolchain, gopath: string): NodeJS.ProcessEnv {
  const minor = t.id.slice(2, t.id.indexOf("-"));
  return {
    PATH: `${join(t.goroot, "bin")}:/usr/bin:/bin`,
    HOME: process.env.HOME ?? tmpdir(),
    GOROOT: t.goroot,
    GOPATH: gopath,
    GO111MODULE: t.mode === "gopath" ? "off" : "on",
    GOFLAGS: t.mode === "module" ? "-mod=mod" : "",
    GOPROXY: "off",
    GOSUMDB: "off",
    GOTOOLCHAIN: "local",
    GOTELEMETRY: "off",
    CGO_ENABLED: "0",
    GOCACHE: join(cacheDir(), "go-build", minor),
  };
}

/** Builds (or reuses) the oracle binary for one toolchain; returns its path. */
export function buildOracle(t: Toolchain): string {
  const source = readFileSync(join(SOURCE_DIR, "main.go"));
  const version = readFileSync(join(t.goroot, "VERSION"), "utf8");
  const key = createHash("sha256").update(source).update(version).update(t.mode).digest("hex").slice(0, 16);
  const out = join(cacheDir(), "go-oracle", `${t.id}-${key}`, "tlsverify");
  if (existsSync(out)) return out;
  const work = mkdtempSync(join(tmpdir(), "regtrust-go-oracle-"));
  try {
    const pkg = join(work, "src", "tlsverify");
    mkdirSync(pkg, { recursive: true });
    cpSync(join(SOURCE_DIR, "main.go"), join(pkg, "main.go"));
    const minor = version.match(/^go1\.(\d+)/)?.[1] ?? "24";
    // A module build for the toolchain's own Go line: no DefaultGODEBUG, the toolchain's defaults.
    if (t.mode === "module") writeFileSync(join(pkg, "go.mod"), `module tlsverify\n\ngo 1.${minor}\n`);
    mkdirSync(dirname(out), { recursive: true });
    const tmpOut = `${out}.tmp${process.pid}`;
    const build = spawnSync(join(t.goroot, "bin", "go"), ["build", "-trimpath", "-o", tmpOut, "."], {
      cwd: pkg,
      env: goEnv(t, work),
      encoding: "utf8",
      timeout: 600_000,
    });
    if (build.status !== 0) throw new Error(`go build (${t.id}) failed: ${build.stderr}${build.error ?? ""}`);
    renameSync(tmpOut, out);
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export interface OracleVerdict {
  ok: boolean;
  error: string | null;
}

/**
 * Runs every case through one oracle binary. The system pool is the machine's
 * Debian bundle (SSL_CERT_FILE) and nothing else (SSL_CERT_DIR empty), the same
 * file regtrust's side loads; GODEBUG is cleared so the build's defaults rule.
 */
export function runOracle(
  binary: string,
  cases: readonly OracleCase[],
  systemBundle: string,
): { goVersion: string; verdicts: Map<string, OracleVerdict> } {
  const emptyDir = mkdtempSync(join(tmpdir(), "regtrust-oracle-certdir-"));
  try {
    const input = JSON.stringify({
      cases: cases.map((c) => ({
        id: c.id,
        chain: c.chain.map((d) => Buffer.from(d).toString("base64")),
        roots: pem(c.roots),
        serverName: c.serverName,
        time: c.time.toISOString().replace(/\.\d{3}Z$/, "Z"),
      })),
    });
    const run = spawnSync(binary, [], {
      input,
      env: { PATH: "/usr/bin:/bin", SSL_CERT_FILE: systemBundle, SSL_CERT_DIR: emptyDir },
      encoding: "utf8",
      timeout: 300_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (run.status !== 0)
      throw new Error(`${binary} failed (${run.status}): ${run.stderr}${run.error ?? ""}`);
    const out = JSON.parse(run.stdout) as {
      goVersion: string;
      results: { id: string; ok: boolean; error: string | null }[];
    };
    return {
      goVersion: out.goVersion,
      verdicts: new Map(out.results.map((r) => [r.id, { ok: r.ok, error: r.error }])),
    };
  } finally {
    rmSync(emptyDir, { recursive: true, force: true });
  }
}

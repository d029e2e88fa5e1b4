/**
 * Differential suite: regtrust's containerd view against containerd's own Go
 * code (Debian's golang-github-containerd-containerd-dev: 1.6.20 from Debian
 * 12, 1.7.24 from Debian 13), built offline by scripts/oracle/containerd.sh.
 * Every generated config tree must resolve identically: whether config.toml
 * loads and which config_path it yields, the host directory, the endpoints in
 * order (scheme, host, path, capabilities, CA files by CN, client pairs,
 * skip_verify, 1.7's https-first fallback), and whether ConfigureHosts fails
 * or panics (with the first words of its error).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { readContainerdConfig } from "../../src/node/containerd/config.ts";
import { containerdFeatures } from "../../src/node/containerd/features.ts";
import { resolveHosts } from "../../src/node/containerd/resolve-hosts.ts";
import { HostFs } from "../../src/node/host-fs.ts";
import { handPickedCases, type TreeCase } from "./containerd/handpicked.ts";
import { materialize } from "./containerd/materialize.ts";
import { makeOraclePki } from "./containerd/pki.ts";
import { randomCases } from "./containerd/random-trees.ts";

const RANDOM_COUNT = 260;
const SEED = 22;
const VERSIONS = [
  { rules: "1.6", version: "1.6.20" },
  { rules: "1.7", version: "1.7.24" },
];

const work = mkdtempSync(join(tmpdir(), "regtrust-cd-oracle-"));
after(() => rmSync(work, { recursive: true, force: true }));
const pki = makeOraclePki(work);
const cases: TreeCase[] = [...handPickedCases(), ...randomCases(RANDOM_COUNT, SEED)];
const configs = new Map(cases.map((c, i) => [c.id, materialize(c, join(work, `case-${i}`), pki)]));

interface Comparable {
  config: "loads" | "refused";
  configPath: string;
  hostDir: string;
  outcome: string;
  endpoints: {
    scheme: string;
    host: string;
    path: string;
    capabilities: string[];
    cas: string[];
    clientCerts: number;
    skipVerify: boolean;
    httpFallback: boolean;
  }[];
}

/** The first words of an error: the Go and TS texts agree on these, not on errno wording. */
function outcomeOf(error: string | undefined, panics: boolean): string {
  if (panics) return "panic";
  if (!error) return "ok";
  const m =
    /unable to read CA cert|unable to load CA cert|unable to read CERT file|failed to load X509 key pair|not a directory|is a directory/.exec(
      error,
    );
  return m ? `error: ${m[0]}` : `error: ${error}`;
}

function cnsOf(paths: string[]): string[] {
  const names: string[] = [];
  for (const path of paths) {
    const text = readFileSync(path, "utf8");
    for (const block of text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []) {
      const cn = /CN=([^\n]*)/.exec(new X509Certificate(block).subject)?.[1] ?? "?";
      if (!names.includes(cn)) names.push(cn);
    }
  }
  return names;
}

function regtrustView(c: TreeCase, version: string): Comparable {
  const fs = new HostFs("/");
  const features = containerdFeatures(version);
  const config = readContainerdConfig(fs, configs.get(c.id) as string, features);
  const base = { configPath: config.configPath ?? "", hostDir: "", outcome: "ok", endpoints: [] };
  if (!config.valid) return { ...base, config: "refused", configPath: "" };
  if (config.roots.length === 0) return { ...base, config: "loads" };
  const r = resolveHosts(fs, config.roots, c.registry, features);
  return {
    config: "loads",
    configPath: base.configPath,
    hostDir: r.hostDir ?? "",
    outcome: outcomeOf(r.error ?? undefined, r.panics),
    endpoints: r.endpoints.map((e) => ({
      scheme: e.scheme,
      host: e.host,
      path: e.path,
      capabilities: e.capabilities,
      cas: cnsOf(e.caFiles),
      clientCerts: e.clientCerts.length,
      skipVerify: e.skipVerify,
      httpFallback: e.httpFallback,
    })),
  };
}

interface OracleOut {
  id: string;
  configError?: string;
  configPath: string;
  hostDir: string;
  error?: string;
  panic?: string;
  endpoints: (Omit<Comparable["endpoints"][number], "cas"> & { cas: string[] })[];
}

function oracleView(o: OracleOut): Comparable {
  if (o.configError) return { config: "refused", configPath: "", hostDir: "", outcome: "ok", endpoints: [] };
  return {
    config: "loads",
    configPath: o.configPath,
    hostDir: o.hostDir,
    outcome: outcomeOf(o.error, o.panic !== undefined),
    endpoints: o.endpoints,
  };
}

for (const { rules, version } of VERSIONS) {
  test(`containerd ${version}'s own code and regtrust agree on ${cases.length} config trees`, () => {
    const binary = execFileSync("sh", ["scripts/oracle/containerd.sh", rules], {
      encoding: "utf8",
      timeout: 600_000,
    }).trim();
    const input = JSON.stringify(
      cases.map((c) => ({ id: c.id, config: configs.get(c.id), registry: c.registry })),
    );
    const stdout = execFileSync(binary, { input, encoding: "utf8", timeout: 120_000, maxBuffer: 64 << 20 });
    const oracle = new Map(
      stdout
        .trim()
        .split("\n")
        .map((line) => {
          const o = JSON.parse(line) as OracleOut;
          return [o.id, o] as const;
        }),
    );
    assert.ok(cases.length >= 300, `at least 300 trees (${cases.length})`);
    const disagreements: string[] = [];
    for (const c of cases) {
      const theirs = oracleView(oracle.get(c.id) as OracleOut);
      const ours = regtrustView(c, version);
      try {
        assert.deepEqual(ours, theirs);
      } catch {
        disagreements.push(
          `${c.id} (${c.registry})\n  containerd ${version}: ${JSON.stringify(theirs)}\n  regtrust:        ${JSON.stringify(ours)}\n  oracle raw: ${JSON.stringify(oracle.get(c.id))}`,
        );
      }
    }
    assert.equal(
      disagreements.length,
      0,
      `${disagreements.length} of ${cases.length} disagree:\n${disagreements.join("\n")}`,
    );
  });
}

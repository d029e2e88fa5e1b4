/**
 * Differential suite: regtrust's containers/image view (CRI-O, podman, skopeo)
 * against containers/image's own code (Debian 12's
 * golang-github-containers-image-dev 5.23.1), built offline by
 * scripts/oracle/cimage.sh: which registries.conf entry applies and its pull
 * sources in order (mirrors, insecure), whether the configuration loads, which
 * certs.d directory is used, its CA files (by CN) and client pairs, or the
 * same failure.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { certDirFor } from "../../src/node/containers/containers.ts";
import { pullSources } from "../../src/node/containers/pull-sources.ts";
import { findRegistry, readRegistriesConf } from "../../src/node/containers/registries-conf.ts";
import { readCertsDir } from "../../src/node/docker/certs-dir.ts";
import { HostFs } from "../../src/node/host-fs.ts";
import { type CimageCase, cimageCases } from "./cimage/cases.ts";
import { makeOraclePki, type OraclePki } from "./containerd/pki.ts";

const work = mkdtempSync(join(tmpdir(), "regtrust-cimage-oracle-"));
after(() => rmSync(work, { recursive: true, force: true }));
const pki = makeOraclePki(work);
const cases = cimageCases(170, 22);
const roots = new Map<string, string>();

function pem(token: string, p: OraclePki): string {
  const ca = /^@ca(\d+)$/.exec(token);
  if (ca) return p.cas[Number(ca[1])] as string;
  if (token === "@clientCert") return p.clientCert;
  if (token === "@clientKey") return p.clientKey;
  if (token === "@otherKey") return p.otherKey;
  return token;
}

for (const [i, c] of cases.entries()) {
  const root = join(work, `case-${i}`);
  mkdirSync(join(root, "root"), { recursive: true });
  for (const [path, content] of Object.entries(c.files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), pem(content, pki));
  }
  roots.set(c.id, root);
}

interface View {
  confError: boolean;
  found: boolean;
  blocked: boolean;
  sources: { reference: string; insecure: boolean }[];
  certDir: string;
  certError: boolean;
  cas: string[];
  clientCerts: number;
}

function cnsOf(root: string, paths: string[]): string[] {
  const names: string[] = [];
  for (const path of paths) {
    const text = readFileSync(join(root, path), "utf8");
    for (const block of text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []) {
      const cn = /CN=([^\n]*)/.exec(new X509Certificate(block).subject)?.[1] ?? "?";
      if (!names.includes(cn)) names.push(cn);
    }
  }
  return names;
}

function regtrustView(c: CimageCase): View {
  const root = roots.get(c.id) as string;
  const fs = new HostFs(root);
  const conf = readRegistriesConf(fs);
  const confError = conf.findings.some((f) => f.severity === "error");
  const entry = confError ? null : findRegistry(conf, c.ref);
  const pulled = entry ? pullSources(entry, c.ref) : { sources: [] };
  const sources = "sources" in pulled ? pulled.sources : [];
  const host = c.ref.slice(0, c.ref.indexOf("/"));
  const dir = certDirFor(fs, host);
  const read = readCertsDir(fs, dir, { missingKeyHint: "", skipVanishedCrt: true });
  const certError = (read?.fatal.length ?? 0) > 0;
  const failed = confError || "error" in pulled;
  return {
    confError: failed,
    found: !failed && entry !== null,
    blocked: !failed && (entry?.blocked ?? false),
    sources,
    certDir: dir,
    certError,
    cas: certError ? [] : cnsOf(root, read?.caFiles.map((s) => s.path) ?? []),
    clientCerts: certError ? 0 : (read?.clientPairs.length ?? 0),
  };
}

test(`containers/image 5.23.1's own code and regtrust agree on ${cases.length} node trees`, () => {
  const binary = execFileSync("sh", ["scripts/oracle/cimage.sh"], {
    encoding: "utf8",
    timeout: 600_000,
  }).trim();
  const disagreements: string[] = [];
  for (const one of cases) {
    // containers/storage caches the home directory per process: one process per node tree, HOME inside it.
    const root = roots.get(one.id) as string;
    const input = JSON.stringify([{ id: one.id, root, ref: one.ref }]);
    const env = { ...process.env, HOME: join(root, "root") };
    const o = JSON.parse(execFileSync(binary, { input, env, encoding: "utf8", timeout: 60_000 }));
    const c = one;
    const theirs: View = {
      confError: o.confError !== undefined,
      found: o.confError === undefined && o.found,
      blocked: o.confError === undefined && o.blocked,
      sources: o.confError === undefined ? o.sources : [],
      certDir: o.certDir.startsWith(root) ? o.certDir.slice(root.length) : o.certDir,
      certError: o.certError !== undefined,
      cas: o.cas.filter((n: string, i: number, a: string[]) => a.indexOf(n) === i),
      clientCerts: o.clientCerts,
    };
    const ours = regtrustView(c);
    try {
      assert.deepEqual(ours, theirs);
    } catch {
      disagreements.push(
        `${c.id} (${c.ref}) ${JSON.stringify(c.files)}\n  c/image:  ${JSON.stringify(theirs)} ${o.confError ?? ""} ${o.certError ?? ""}\n  regtrust: ${JSON.stringify(ours)}`,
      );
    }
  }
  assert.equal(
    disagreements.length,
    0,
    `${disagreements.length} of ${cases.length} disagree:\n${disagreements.join("\n")}`,
  );
});

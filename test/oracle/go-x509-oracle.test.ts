/**
 * Differential suite: regtrust's verdict and error text for a context against
 * Go's own crypto/tls + crypto/x509, per Go release, byte for byte.
 *
 * The oracle (test/oracle/go/tlsverify) is built offline from Debian's Go
 * toolchains (scripts/go-toolchains.sh) and runs a real crypto/tls client
 * handshake per case; regtrust's side is diagnose() for a containerd context
 * whose Go build is read from the oracle binary itself by goVersionOfBinary.
 * The corpus (test/oracle/corpus) is generated: hand-picked edge cases plus
 * seeded random chains (REGTRUST_ORACLE_SEED / REGTRUST_ORACLE_RANDOM to explore).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { goVersionOfBinary } from "../../src/node/go-buildinfo.ts";
import { HostFs } from "../../src/node/host-fs.ts";
import type { OracleCase } from "./corpus/case.ts";
import { corpus, DEFAULT_SEED } from "./corpus/corpus.ts";
import { buildOracle, ensureToolchains, runOracle, toolchains } from "./go-oracle.ts";
import { loadSystemSources, regtrustVerdict, systemNode } from "./regtrust-side.ts";

const SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";
const SEED = Number(process.env.REGTRUST_ORACLE_SEED ?? DEFAULT_SEED);
const RANDOM = Number(process.env.REGTRUST_ORACLE_RANDOM ?? 100);
/** A cold build of one oracle takes about a minute on a busy machine. */
const PER_TOOLCHAIN_MS = 900_000;

describe("Go crypto/x509 + crypto/tls oracle: regtrust agrees byte for byte", () => {
  let cases: OracleCase[] = [];
  let node: ReturnType<typeof systemNode>;
  let system: Parameters<typeof regtrustVerdict>[2];

  before(
    () => {
      ensureToolchains();
      cases = corpus(SEED, RANDOM);
      node = systemNode(SYSTEM_BUNDLE);
      system = { store: node.store, sources: loadSystemSources(node.store) };
    },
    { timeout: 900_000 },
  );
  after(() => node?.cleanup());

  it("the corpus has at least 150 chains, every one with a unique id", () => {
    assert.ok(cases.length >= 150, `${cases.length} cases`);
    assert.equal(new Set(cases.map((c) => c.id)).size, cases.length);
  });

  for (const toolchain of toolchains()) {
    it(`${toolchain.id} (${toolchain.origin}): every case agrees`, {
      timeout: PER_TOOLCHAIN_MS,
    }, async () => {
      const binary = buildOracle(toolchain);
      const go = goVersionOfBinary(new HostFs("/"), binary);
      assert.ok(go, `no Go build info read from ${binary}`);
      const { goVersion, verdicts } = runOracle(binary, cases, SYSTEM_BUNDLE);
      // The build info regtrust reads is what the binary reports and what `go version -m` prints.
      assert.equal(go.version, goVersion);
      assert.equal(go.defaultGodebug, defaultGodebugPerGoTool(toolchain.goroot, binary));
      assert.ok(goVersion.startsWith(toolchain.id.split("-")[0]!), `${toolchain.id} built ${goVersion}`);
      const disagreements: string[] = [];
      for (const c of cases) {
        const want = verdicts.get(c.id);
        assert.ok(want, `oracle skipped ${c.id}`);
        const got = await regtrustVerdict(c, go, system);
        if (want.ok !== got.ok || want.error !== got.error) {
          disagreements.push(`${c.id}\n    Go:       ${show(want)}\n    regtrust: ${show(got)}`);
        }
      }
      assert.deepEqual(
        disagreements,
        [],
        `${goVersion}: ${disagreements.length}/${cases.length} disagree (seed ${SEED}):\n  ${disagreements.join("\n  ")}`,
      );
    });
  }
});

describe("the finding names the cause Go reports", () => {
  const go124 = { version: "go1.24.4", defaultGodebug: null, source: "test", assumed: false };
  const go124Debian = { ...go124, defaultGodebug: "rsa1024min=0,x509negativeserial=1" };
  const byId = (id: string) => {
    const c = corpus(SEED, 0).find((x) => x.id === id);
    assert.ok(c, id);
    return c;
  };
  let node: ReturnType<typeof systemNode>;
  let system: Parameters<typeof regtrustVerdict>[2];
  before(() => {
    node = systemNode(SYSTEM_BUNDLE);
    system = { store: node.store, sources: loadSystemSources(node.store) };
  });
  after(() => node?.cleanup());

  it("a 512-bit RSA intermediate: weak-signature for a Go 1.24 module build, verifies for Debian's build", async () => {
    const c = byId("rsa512-intermediate-signs");
    const strict = await regtrustVerdict(c, go124, system);
    assert.equal(strict.ok, false);
    assert.equal(strict.findings[0]?.code, "weak-signature");
    assert.match(strict.findings[0]?.message ?? "", /512-bit RSA key/);
    assert.equal((await regtrustVerdict(c, go124Debian, system)).ok, true);
  });

  it("a leaf with a negative serial: refused at the handshake by Go 1.23+ unless x509negativeserial=1", async () => {
    const c = byId("leaf-negative-serial");
    const strict = await regtrustVerdict(c, go124, system);
    assert.equal(strict.findings[0]?.code, "tls-handshake-failed");
    assert.match(strict.findings[0]?.message ?? "", /negative serial number/);
    assert.equal((await regtrustVerdict(c, go124Debian, system)).ok, true);
  });
});

describe("a CA file whose root Go refuses to parse", () => {
  it("is ca-file-unusable naming the defect, not just an untrusted root", async () => {
    const node = systemNode(SYSTEM_BUNDLE);
    try {
      const system = { store: node.store, sources: loadSystemSources(node.store) };
      const c = corpus(SEED, 0).find((x) => x.id === "root-duplicate-extension");
      assert.ok(c);
      const go = { version: "go1.19.8", defaultGodebug: null, source: "test", assumed: false };
      const verdict = await regtrustVerdict(c, go, system);
      assert.equal(verdict.ok, false);
      const unusable = verdict.findings.find((f) => f.code === "ca-file-unusable");
      assert.ok(unusable, JSON.stringify(verdict.findings));
      assert.match(unusable.message, /go1\.19\.8's parser refuses/);
    } finally {
      node.cleanup();
    }
  });
});

describe("goVersionOfBinary reads a runtime binary under a node root (--root)", () => {
  it("a Go 1.24 binary placed at /usr/local/bin/containerd of a node root", {
    timeout: PER_TOOLCHAIN_MS,
  }, () => {
    ensureToolchains();
    const toolchain = toolchains().find((t) => t.id === "go1.24-gopath");
    assert.ok(toolchain);
    const binary = buildOracle(toolchain);
    const root = mkdtempSync(join(tmpdir(), "regtrust-noderoot-"));
    try {
      mkdirSync(join(root, "usr/local/bin"), { recursive: true });
      copyFileSync(binary, join(root, "usr/local/bin/containerd"));
      const read = goVersionOfBinary(new HostFs(root), "/usr/local/bin/containerd");
      assert.equal(read?.version, "go1.24.4");
      assert.equal(read?.source, "/usr/local/bin/containerd (Go build info)");
      // A GOPATH build, as Debian builds containerd: Go 1.20's defaults keep negative serials and small RSA keys.
      assert.match(read?.defaultGodebug ?? "", /(^|,)x509negativeserial=1(,|$)/);
      assert.match(read?.defaultGodebug ?? "", /(^|,)rsa1024min=0(,|$)/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

function show(v: { ok: boolean; error: string | null }): string {
  return v.ok ? "verifies" : JSON.stringify(v.error);
}

/** DefaultGODEBUG as the toolchain's own `go version -m` prints it; null when absent. */
function defaultGodebugPerGoTool(goroot: string, binary: string): string | null {
  const run = spawnSync(`${goroot}/bin/go`, ["version", "-m", binary], {
    encoding: "utf8",
    env: { PATH: "/usr/bin:/bin", GOROOT: goroot, HOME: "/nonexistent", GOTOOLCHAIN: "local" },
    timeout: 60_000,
  });
  assert.equal(run.status, 0, run.stderr);
  const line = run.stdout.split("\n").find((l) => l.includes("\tDefaultGODEBUG="));
  return line ? line.slice(line.indexOf("DefaultGODEBUG=") + "DefaultGODEBUG=".length) : null;
}

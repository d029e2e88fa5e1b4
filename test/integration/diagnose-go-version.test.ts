/**
 * Issue #22 item 3: each runtime's error text follows the Go its binary was
 * built with. A node root carrying Debian 12's real /usr/bin/containerd
 * (Go 1.19: no "tls: failed to verify certificate: " prefix, which Go added in
 * 1.20) gets that Go's text for the containerd context, read from the binary's
 * build info; the OS store's context, which no Go binary decides, keeps the
 * assumed Go and says so.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createPrivatePki } from "../../src/pki/generate.ts";
import { ensureTestHosts } from "../support/etc-hosts.ts";
import { type RunningRegistry, startRegistry } from "../support/registry.ts";
import { TempDirs } from "../support/tmp.ts";
import { diagnoseJson } from "./cli.ts";
import { buildNodeRoot, withContainerd } from "./node-root.ts";

const HOST = "repo.example.com";
const CONTAINERD = "/usr/bin/containerd";
const dirs = new TempDirs();
let reg: RunningRegistry;

before(async () => {
  await ensureTestHosts();
  const pki = await createPrivatePki({ hostnames: [HOST] });
  reg = await startRegistry({
    tls: { certPem: `${pki.leaf.certPem}\n${pki.intermediate.certPem}\n`, keyPem: pki.leaf.keyPem },
  });
});
after(async () => {
  await reg?.stop();
  await dirs.cleanup();
});

describe("diagnose: the runtime binary's Go decides its error text", () => {
  test("Debian's containerd binary under the root: its Go version, read from the binary", async () => {
    assert.ok(existsSync(CONTAINERD), "bootstrap installs containerd");
    // What `go version BINARY` says is the oracle for the version string (Debian's Go reads the same build info).
    const goVersion = /: (go[0-9.]+)/.exec(
      execFileSync("go", ["version", CONTAINERD], { encoding: "utf8" }),
    )?.[1];
    assert.ok(goVersion, "go version printed no version");
    const root = await buildNodeRoot(dirs, withContainerd());
    mkdirSync(join(root, "usr/bin"), { recursive: true });
    copyFileSync(CONTAINERD, join(root, "usr/bin/containerd"));
    const { result } = await diagnoseJson(`${HOST}:${reg.port}`, root);
    const byName = Object.fromEntries(result.contexts.map((c) => [c.name, c])) as Record<
      string,
      {
        error: string | null;
        go?: { version: string; assumed: boolean; rules: { verifyErrorPrefix: boolean } };
      }
    >;
    const containerd = byName.containerd;
    assert.equal(containerd?.go?.version, goVersion);
    assert.equal(containerd?.go?.assumed, false);
    const minor = Number(goVersion.split(".")[1]);
    assert.equal(containerd?.go?.rules.verifyErrorPrefix, minor >= 20);
    const expected = `${minor >= 20 ? "tls: failed to verify certificate: " : ""}x509: certificate signed by unknown authority`;
    assert.equal(containerd?.error, expected);
    assert.equal(byName.system?.go?.assumed, true);
  });
});

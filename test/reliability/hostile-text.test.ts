/**
 * Issue #23 (5): text from a registry's certificate and from Kubernetes
 * events reaches the operator's terminal only escaped. The certificate's
 * CN/O/SAN/AIA carry ESC/CSI (clear screen), OSC 52 (clipboard write), OSC 8
 * (a disguised link), C1 CSI, CR followed by a fake "✓ OK trusted", a bidi
 * override and a line feed followed by a fake indented line; the events carry
 * the same. Each command's text output (and SARIF) must show them as `\x1b`,
 * `\r`, `\u202e`, … and never emit them; --json keeps the exact value.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type IssuedCert, issueCertificate } from "../../src/pki/generate.ts";
import { REPO_ROOT } from "../../src/plan/testing/support.ts";
import type { Loopback } from "../../src/probe/testing/loopback.ts";
import { startRegistry } from "../chain/support.ts";
import { runCli } from "../integration/cli.ts";
import { buildNodeRoot, withContainerd } from "../integration/node-root.ts";
import { type FakeCluster, type Json, wireEvent } from "../k8s/fake-cluster.ts";
import { useFakeCluster } from "../k8s/harness.ts";
import { APP_IMAGE, incidentCluster } from "../k8s/scenarios.ts";
import { ensureTestHosts } from "../support/etc-hosts.ts";
import { runCommand } from "../support/processes.ts";
import { TempDirs } from "../support/tmp.ts";

/** Everything a terminal acts on; all of it in one string. */
const HOSTILE =
  "\u001b[2J\u001b[H\u001b]52;c;cm0gLXJmIC8K\u0007\u001b]8;;https://evil.example/\u001b\\docs\u001b]8;;\u001b\\" +
  "\u009b32m\r✓ OK  trusted\u202etxt.exe\n  FORGED LINE";
/** What must never reach a terminal: C0 except TAB/LF, DEL, C1, bidi and invisible format characters. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069]/;

const dirs = new TempDirs();
let registry: Loopback;
let cert: IssuedCert;
let root = "";
let pemFile = "";

before(async () => {
  await ensureTestHosts();
  cert = await issueCertificate({
    commonName: `repo${HOSTILE}`,
    organization: `Org${HOSTILE}`,
    dnsNames: ["repo.example.com", `x\u001b]8;;http://evil/\u001b\\.example.com`],
    aiaIssuerUrl: `http://127.0.0.1:9/ca.der${HOSTILE}`,
    extKeyUsage: ["serverAuth"],
  });
  registry = await startRegistry([cert], cert);
  root = await buildNodeRoot(dirs, withContainerd());
  pemFile = join(await dirs.make("pem"), "hostile.pem");
  await writeFile(pemFile, cert.certPem);
});
after(async () => {
  await registry?.close();
  await dirs.cleanup();
});

function assertNeutral(label: string, output: string): void {
  const m = RAW_CONTROL.exec(output);
  assert.equal(
    m,
    null,
    `${label}: raw U+${m?.[0].charCodeAt(0).toString(16).padStart(4, "0")} at ${m?.index}:\n${output}`,
  );
  assert.match(output, /\\x1b\]52/, `${label}: the OSC 52 is shown escaped`);
  assert.match(output, /\\u202e/, `${label}: the bidi override is shown escaped`);
  assert.doesNotMatch(output, /^\s*FORGED LINE/m, `${label}: a line feed in a value forged a line`);
}

const target = () => `repo.example.com:${registry.port}`;

describe("a hostile registry certificate, text output", () => {
  test("diagnose", async () => {
    const run = await runCli(["diagnose", target(), "--root", root, "--timeout", "4000"]);
    assert.equal(run.code, 1, run.stderr);
    assertNeutral("diagnose", run.stdout + run.stderr);
  });

  test("chain (the AIA URL too)", async () => {
    const run = await runCli(["chain", target(), "--timeout", "4000"]);
    assertNeutral("chain", run.stdout + run.stderr);
    assert.match(run.stdout, /AIA\s+http:\/\/127\.0\.0\.1:9\/ca\.der\\x1b\[2J/);
  });

  test("inspect", async () => {
    const run = await runCli(["inspect", pemFile]);
    assertNeutral("inspect", run.stdout + run.stderr);
  });

  test("audit text and SARIF (the certificate as a CA file on the node)", async () => {
    const node = await buildNodeRoot(
      dirs,
      withContainerd({ "/etc/containerd/certs.d/repo.example.com:5000/ca.crt": cert.certPem }),
    );
    const text = await runCli(["audit", "--root", node, "--expiring-days", "100000"]);
    assertNeutral("audit", text.stdout + text.stderr);
    const sarif = await runCli(["audit", "--root", node, "--format", "sarif", "--expiring-days", "100000"]);
    assert.doesNotMatch(sarif.stdout, RAW_CONTROL);
    // The decoded SARIF strings themselves carry the visible escapes, not the controls.
    assertNeutral("sarif (decoded)", JSON.parse(sarif.stdout).runs[0].results.map(sarifText).join("\n"));
  });

  test("--json keeps the exact value (JSON-escaped, safe bytes)", async () => {
    const run = await runCli(["chain", target(), "--json", "--timeout", "4000"]);
    assert.doesNotMatch(run.stdout, RAW_CONTROL);
    const json = JSON.parse(run.stdout) as { presented: { subject: string }[] };
    assert.ok(json.presented[0]?.subject.includes("\u001b[2J\u001b[H\u001b]52"), json.presented[0]?.subject);
  });

  test("the shipped dist/regtrust.mjs, spawned: chain", async () => {
    const run = await runCommand(
      [process.execPath, join(REPO_ROOT, "dist/regtrust.mjs"), "chain", target(), "--timeout", "4000"],
      { timeoutMs: 30_000 },
    );
    assertNeutral("dist chain", run.stdout + run.stderr);
  });
});

function sarifText(result: Json): string {
  const props = result.properties as { evidence?: string[]; fix?: string[] };
  return [(result.message as { text: string }).text, ...(props.evidence ?? []), ...(props.fix ?? [])].join(
    "\n",
  );
}

/** The incident, with the runtime's error text (a registry's "server message") made hostile. */
function hostileCluster(): FakeCluster {
  const cluster = incidentCluster();
  const fresh = cluster.pods.find((p) => (p.metadata as Json).name === "app-6c5d8f7b9-tz8wn")!;
  const container = ((fresh.status as Json).containerStatuses as Json[])[0]!;
  container.state = {
    waiting: {
      reason: "ErrImagePull",
      message: `rpc error: code = Unknown desc = failed to pull and unpack image "${APP_IMAGE}": unexpected status from HEAD request: 403 Forbidden: server message: ${HOSTILE}`,
    },
  };
  cluster.events.push(
    wireEvent({
      pod: fresh,
      reason: "Failed",
      type: "Warning",
      container: "app",
      message: `Failed to pull image "${APP_IMAGE}": ${HOSTILE}`,
      first: "2026-03-01T10:05:00Z",
    }),
  );
  return cluster;
}

describe("hostile Kubernetes event and pull messages, text output", () => {
  const kube = useFakeCluster(hostileCluster);

  test("k8s why", async () => {
    const run = await kube.run(["k8s", "why", "app-6c5d8f7b9-tz8wn"]);
    assertNeutral("k8s why", run.stdout + run.stderr);
  });

  test("k8s pulls", async () => {
    const run = await kube.run(["k8s", "pulls", "-A"]);
    assertNeutral("k8s pulls", run.stdout + run.stderr);
  });

  test("k8s why --json keeps the exact message", async () => {
    const run = await kube.run(["k8s", "why", "app-6c5d8f7b9-tz8wn", "--json"]);
    assert.doesNotMatch(run.stdout, RAW_CONTROL);
    assert.ok(run.stdout.length > 0 && JSON.stringify(JSON.parse(run.stdout)).includes("\\u001b]52"));
  });
});

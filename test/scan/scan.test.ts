/**
 * `regtrust scan` as a user runs it, against loopback servers: a trusted TLS
 * docker-registry (repo.example.com), a plain-HTTP one (other.example.com)
 * and a tarpit that accepts and never answers (mirror.example.com).
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { createServer as createHttpsServer } from "node:https";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runScan } from "../../src/cli/commands/scan.ts";
import { memoryIo } from "../../src/cli/io.ts";
import { loadNode } from "../../src/diagnose/load-node.ts";
import { createPrivatePki } from "../../src/pki/generate.ts";
import { type CliRun, type DiagnoseJson, diagnoseJson, runCli } from "../integration/cli.ts";
import { buildNodeRoot, withContainerd } from "../integration/node-root.ts";
import { ensureTestHosts } from "../support/etc-hosts.ts";
import { type RunningRegistry, startRegistry } from "../support/registry.ts";
import { TempDirs } from "../support/tmp.ts";

const dirs = new TempDirs();
let pkiLeaf: { certPem: string; keyPem: string; chainPem: string };
const tarpitSockets = new Set<Socket>();
let tarpit: Server;
let trusted: RunningRegistry;
let plain: RunningRegistry;
let root: string;
/** registry keys: trusted TLS, plain HTTP, tarpit */
let REPO: string;
let OTHER: string;
let MIRROR: string;

before(async () => {
  await ensureTestHosts();
  const pki = await createPrivatePki({ hostnames: ["repo.example.com"] });
  pkiLeaf = {
    certPem: pki.leaf.certPem,
    keyPem: pki.leaf.keyPem,
    chainPem: `${pki.leaf.certPem}\n${pki.intermediate.certPem}\n`,
  };
  trusted = await startRegistry({
    tls: { certPem: `${pki.leaf.certPem}\n${pki.intermediate.certPem}\n`, keyPem: pki.leaf.keyPem },
  });
  plain = await startRegistry({ host: "127.0.0.3" });
  tarpit = createServer((socket) => tarpitSockets.add(socket));
  await new Promise<void>((resolve, reject) => {
    tarpit.once("error", reject);
    tarpit.listen(0, "127.0.0.4", () => resolve());
  });
  REPO = `repo.example.com:${trusted.port}`;
  OTHER = `other.example.com:${plain.port}`;
  MIRROR = `mirror.example.com:${(tarpit.address() as AddressInfo).port}`;
  const dir = `/etc/containerd/certs.d/${REPO}`;
  root = await buildNodeRoot(
    dirs,
    withContainerd({
      [`${dir}/hosts.toml`]: `server = "https://${REPO}"\n[host."https://${REPO}"]\n  ca = "${dir}/ca.crt"\n`,
      [`${dir}/ca.crt`]: pki.root.certPem,
    }),
  );
});

after(async () => {
  for (const s of tarpitSockets) s.destroy();
  await new Promise<void>((resolve) => (tarpit ? tarpit.close(() => resolve()) : resolve()));
  await Promise.all([trusted?.stop(), plain?.stop()]);
  await dirs.cleanup();
});

async function inputFile(name: string, text: string): Promise<string> {
  const file = join(await dirs.make("scan-input"), name);
  await writeFile(file, text);
  return file;
}

function listenOn(server: Server, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
}

function scanArgs(...extra: string[]): string[] {
  return ["--root", root, "--timeout", "2000", ...extra];
}

function jsonLines(run: CliRun): DiagnoseJson[] {
  const lines = run.stdout.split("\n").filter((l) => l !== "");
  return lines.map((line) => {
    try {
      return JSON.parse(line) as DiagnoseJson;
    } catch {
      throw new Error(`not JSON Lines (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
    }
  });
}

/** registry → its error-finding codes, independent of completion order. */
function verdicts(results: DiagnoseJson[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of results) {
    const key = (r.target as { registry?: string }).registry ?? "?";
    out[key] = r.findings.filter((f) => f.severity === "error").map((f) => f.code);
  }
  return out;
}

describe("scan: line input", () => {
  test("JSON Lines: one diagnose object per registry; the tarpit times out and the others still finish", async () => {
    const file = await inputFile(
      "targets.txt",
      `# registries of the fleet\n${MIRROR}\n\n${REPO}/team/app:1.0\n${OTHER}  # cleartext\n${REPO}\n`,
    );
    const run = await runCli(["scan", file, ...scanArgs("--json", "--concurrency", "2")]);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stderr, "", "no progress on a non-terminal");
    const results = jsonLines(run);
    assert.deepEqual(verdicts(results), { [MIRROR]: ["timeout"], [REPO]: [], [OTHER]: ["plain-http"] });
    const repo = results.find((r) => r.ok);
    assert.equal(repo?.target.input, `${REPO}/team/app:1.0`, "the first entry of a registry is diagnosed");
  });

  test("each line has exactly the shape of `diagnose --json`", async () => {
    const file = await inputFile("one.txt", `${REPO}\n`);
    const run = await runCli(["scan", file, ...scanArgs("--json")]);
    const [line] = jsonLines(run);
    const { result: single } = await diagnoseJson(REPO, root);
    assert.ok(line);
    assert.deepEqual(Object.keys(line), Object.keys(single));
    const strip = (r: DiagnoseJson) => ({ ...r, checkedAt: null, connection: null });
    assert.deepEqual(strip(line), strip(single));
    assert.equal(run.code, 0, "no error finding → exit 0");
  });

  test("text mode: a summary table and a count line", async () => {
    const file = await inputFile("targets.txt", `${REPO}\n${OTHER}\n`);
    const run = await runCli(["scan", file, ...scanArgs()]);
    assert.equal(run.code, 1);
    const lines = run.stdout.trimEnd().split("\n");
    assert.match(lines[0] ?? "", /^REGISTRY\s+VERDICT\s+FINDING\s+MS$/);
    // The OS store does not trust the registry (containerd does through its own CA file): a warning, shown.
    assert.match(run.stdout, new RegExp(`^${REPO}\\s+WARN\\s+unknown-authority\\s+\\d+$`, "m"));
    assert.match(run.stdout, new RegExp(`^${OTHER}\\s+FAIL\\s+plain-http\\s+\\d+$`, "m"));
    assert.equal(lines.at(-1), "2 registries scanned: 0 ok, 1 with warnings, 1 failing");
  });

  test("--timeout is one deadline per target: a slow /v2/ then a hanging token realm end at it, not after both", async (t) => {
    // /v2/ answers after 1.2 s naming a realm on the tarpit (auth.example.com = 127.0.0.2, never answers).
    const realmTarpit = createServer(() => {});
    await listenOn(realmTarpit, "127.0.0.2");
    const realm = `https://auth.example.com:${(realmTarpit.address() as AddressInfo).port}/token`;
    const slow = createHttpsServer({ cert: pkiLeaf.chainPem, key: pkiLeaf.keyPem }, (_req, res) => {
      setTimeout(() => {
        res.writeHead(401, { "www-authenticate": `Bearer realm="${realm}",service="registry"` });
        res.end("{}");
      }, 1200);
    });
    await listenOn(slow, "127.0.0.1");
    t.after(() => {
      slow.closeAllConnections();
      slow.close();
      realmTarpit.close();
    });
    const target = `repo.example.com:${(slow.address() as AddressInfo).port}`;
    const run = await runCli(["scan", "-", ...scanArgs()], { stdin: `${target}\n` });
    const row = new RegExp(`^${target}\\s+FAIL\\s+(\\S+)\\s+(\\d+)$`, "m").exec(run.stdout);
    assert.ok(row, run.stdout + run.stderr);
    const ms = Number(row[2]);
    // Stages with their own timeouts would take 1.2 s + 2 s; one deadline ends near 2 s.
    assert.ok(ms >= 1900 && ms < 2800, `target took ${ms} ms with --timeout 2000`);
    const json = await runCli(["scan", "-", ...scanArgs("--json")], { stdin: `${target}\n` });
    const codes = jsonLines(json)[0]?.findings.map((f) => f.code) ?? [];
    assert.ok(codes.includes("auth-realm-unreachable"), codes.join(", "));
  });

  test("stdin `-`", async () => {
    const run = await runCli(["scan", "-", ...scanArgs("--json")], { stdin: `${OTHER}\n` });
    assert.deepEqual(verdicts(jsonLines(run)), { [OTHER]: ["plain-http"] });
    assert.equal(run.code, 1);
  });
});

describe("scan: Kubernetes input", () => {
  test("multi-document manifest: workload, init and CronJob images, deduplicated by registry", async () => {
    const manifest = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      initContainers:
      - {name: init, image: "${OTHER}/tools/init:3"}
      containers:
      - {name: web, image: "${REPO}/team/web:1.2"}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{port: 80}]}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - {name: job, image: "${REPO}/team/batch:7"}
`;
    const run = await runCli(["scan", await inputFile("app.yaml", manifest), ...scanArgs("--json")]);
    const results = jsonLines(run);
    assert.equal(results.length, 2, run.stdout);
    assert.deepEqual(verdicts(results), { [REPO]: [], [OTHER]: ["plain-http"] });
  });

  test("`kubectl get pods -A -o json` on stdin", async () => {
    const pod = (name: string, image: string) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: "default" },
      spec: { containers: [{ name, image }] },
      status: { phase: "Pending" },
    });
    const list = {
      apiVersion: "v1",
      kind: "List",
      items: [pod("a", `${REPO}/a:1`), pod("b", `${REPO}/b:1`), pod("c", `${MIRROR}/c:1`)],
      metadata: { resourceVersion: "" },
    };
    const run = await runCli(["scan", "-", ...scanArgs("--json")], { stdin: JSON.stringify(list, null, 4) });
    assert.deepEqual(verdicts(jsonLines(run)), { [REPO]: [], [MIRROR]: ["timeout"] });
    assert.equal(run.code, 1);
  });
});

describe("scan: bad input and sharing", () => {
  const cases: Array<[string, () => Promise<string[]>, string | undefined, RegExp]> = [
    [
      "missing file",
      async () => ["/nonexistent/targets.txt"],
      undefined,
      /cannot read scan input "\/nonexistent\/targets.txt": ENOENT/,
    ],
    [
      "only comments",
      async () => [await inputFile("empty.txt", "# nothing\n\n")],
      undefined,
      /no targets in .*empty\.txt/,
    ],
    [
      "a manifest without images",
      async () => [await inputFile("svc.yaml", "apiVersion: v1\nkind: Service\n")],
      undefined,
      /no targets in .*svc\.yaml/,
    ],
    ["empty stdin", async () => ["-"], "", /no targets in stdin/],
    [
      "bad target names file and line",
      async () => [await inputFile("bad.txt", "ok.example.com\nnot a host\n")],
      undefined,
      /bad\.txt:2: invalid target/,
    ],
    [
      "bad --concurrency",
      async () => [await inputFile("t.txt", `${REPO}\n`), "--concurrency", "0"],
      undefined,
      /--concurrency must be/,
    ],
    [
      "bad --expiring-days",
      async () => [await inputFile("t.txt", `${REPO}\n`), "--expiring-days", "soon"],
      undefined,
      /--expiring-days must be a whole number/,
    ],
  ];
  for (const [name, args, stdin, message] of cases) {
    test(`exit 2: ${name}`, async () => {
      const run = await runCli(
        ["scan", ...(await args()), ...scanArgs()],
        stdin === undefined ? {} : { stdin },
      );
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, message);
      assert.equal(run.stdout, "");
    });
  }

  test("the node view is read once for every target", async () => {
    let reads = 0;
    const io = memoryIo({ stdin: `${REPO}\n${OTHER}\n${MIRROR}\n` });
    const code = await runScan("-", { root, timeout: "2000", concurrency: "8", json: true }, io, {
      loadNode: (r, runtimes) => {
        reads++;
        return loadNode(r, runtimes);
      },
    });
    assert.equal(code, 1);
    assert.equal(reads, 1);
    assert.equal(io.out().trim().split("\n").length, 3);
  });

  test("progress goes to stderr on a terminal, never into the results", async () => {
    const io = memoryIo({ stdin: `${REPO}\n`, isTTY: true });
    await runScan("-", { root, timeout: "2000", concurrency: "8", json: true }, io);
    assert.match(io.err(), /1\/1 repo\.example\.com/);
    assert.equal(JSON.parse(io.out()).ok, true);
  });
});

/**
 * The built artifact (dist/regtrust.mjs), spawned as a real process, against a
 * real HTTPS registry endpoint whose certificate Go's parser refuses while
 * OpenSSL (curl, regtrust's own probe) accepts it: the three disagreements
 * found by the first independent differential check. containerd (Go) fails
 * every pull at the handshake; regtrust must say so, with Go's text, and not
 * "pulls will work". The Go version is not read here (no runtime binary in the
 * node root), so the text is the assumed go1.24's, and the JSON says so.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { buildNodeRoot, withContainerd } from "../integration/node-root.ts";
import { ensureTestHosts } from "../support/etc-hosts.ts";
import { TempDirs } from "../support/tmp.ts";
import { pem } from "./corpus/case.ts";
import { EKU, ext } from "./corpus/cert-build.ts";
import { seq } from "./corpus/der-write.ts";
import { CorpusPki, type IssueOpts } from "./corpus/pki.ts";

const HOST = "repo.example.com";
const ENTRY = join(import.meta.dirname, "..", "..", "dist", "regtrust.mjs");
const run = promisify(execFile);
const dirs = new TempDirs();
const pki = new CorpusPki(7);
const root = pki.issue({ subject: { cn: "Refused Root", o: "Oracle" }, ca: true });
const inter = pki.issue({ subject: { cn: "Refused Intermediate", o: "Oracle" }, issuer: root, ca: true });

before(async () => {
  assert.ok(existsSync(ENTRY), "dist/regtrust.mjs is missing: run `npm run build` first");
  await ensureTestHosts();
});
after(() => dirs.cleanup());

/** An HTTPS /v2/ endpoint on loopback presenting leaf + intermediate. */
async function withRegistry<T>(leaf: Partial<IssueOpts>, body: (registry: string) => Promise<T>): Promise<T> {
  const key = pki.key("p256", 1);
  const cert = pki.issue({
    subject: { cn: HOST },
    issuer: inter,
    key,
    dns: [HOST],
    eku: [EKU.serverAuth],
    ...leaf,
  });
  const server: Server = createServer(
    { key: key.privateKey.export({ format: "pem", type: "pkcs8" }), cert: pem([cert.der, inter.der]) },
    (_req, res) => {
      res.writeHead(200, {
        "Docker-Distribution-API-Version": "registry/2.0",
        "Content-Type": "application/json",
      });
      res.end("{}");
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    return await body(`${HOST}:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

interface Diagnosis {
  code: number;
  json: {
    ok: boolean;
    contexts: {
      name: string;
      ok: boolean;
      error: string | null;
      go?: { version: string; assumed: boolean };
    }[];
    findings: { code: string; message: string; evidence?: string[]; contexts?: string[] }[];
  };
  text: string;
}

async function diagnose(registry: string): Promise<Diagnosis> {
  const nodeRoot = await buildNodeRoot(
    dirs,
    withContainerd({ [`/etc/containerd/certs.d/${registry}/ca.crt`]: pem([root.der]) }),
  );
  const args = [
    ENTRY,
    "diagnose",
    registry,
    "--root",
    nodeRoot,
    "--runtime",
    "containerd",
    "--timeout",
    "5000",
  ];
  const exec = async (extra: string[]) => {
    try {
      const out = await run(process.execPath, [...args, ...extra], { timeout: 60_000 });
      return { code: 0, stdout: out.stdout };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      if (typeof e.code !== "number") throw error;
      return { code: e.code, stdout: e.stdout ?? "" };
    }
  };
  const json = await exec(["--json"]);
  const text = await exec([]);
  return { code: json.code, json: JSON.parse(json.stdout) as Diagnosis["json"], text: text.stdout };
}

const CASES: { name: string; leaf: Partial<IssueOpts>; goError: string }[] = [
  {
    name: "a leaf carrying the same extension twice",
    leaf: { extra: [ext.raw("1.2.3.4.9", seq()), ext.raw("1.2.3.4.9", seq())] },
    goError: 'x509: certificate contains duplicate extension with OID "1.2.3.4.9"',
  },
  {
    name: "inner and outer signature algorithms that differ",
    leaf: { innerSigAlg: "sha384-ecdsa" },
    goError: "x509: inner and outer signature algorithm identifiers don't match",
  },
  {
    name: "a 5-byte IP address SAN",
    leaf: { ip: [Buffer.from([10, 0, 0, 1, 7])] },
    goError: "x509: cannot parse IP address of length 5",
  },
];

describe("diagnose (built artifact): certificates Go refuses to parse although OpenSSL serves them", () => {
  for (const c of CASES) {
    it(`${c.name}: containerd fails at the handshake with Go's text`, { timeout: 120_000 }, async () => {
      await withRegistry(c.leaf, async (registry) => {
        const { code, json, text } = await diagnose(registry);
        assert.equal(code, 1, text);
        assert.equal(json.ok, false);
        const containerd = json.contexts.find((x) => x.name === "containerd");
        assert.equal(containerd?.ok, false);
        assert.equal(containerd?.error, `tls: failed to parse certificate from server: ${c.goError}`);
        assert.deepEqual(
          containerd?.go && { version: containerd.go.version, assumed: containerd.go.assumed },
          {
            version: "go1.24",
            assumed: true,
          },
        );
        const refused = json.findings.find((f) => f.code === "tls-handshake-failed");
        assert.ok(refused, JSON.stringify(json.findings));
        assert.ok(
          (refused.evidence ?? []).some((e) => e.includes(c.goError)),
          `evidence names Go's error: ${JSON.stringify(refused)}`,
        );
        assert.match(
          text,
          new RegExp(`containerd +tls: failed to parse certificate from server: ${escapeRegExp(c.goError)}`),
        );
        assert.match(text, /rules: .*go1\.24 \(assumed\)/);
      });
    });
  }
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

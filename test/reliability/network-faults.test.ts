/**
 * Issue #10 (1): raw network faults not covered by test/integration/diagnose-network:
 * each must yield a specific finding (stable code, not an internal error)
 * within the --timeout budget, against loopback servers built from node:net/tls.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer as createHttpsServer } from "node:https";
import {
  type AddressInfo,
  createServer as createNetServer,
  type Server as NetServer,
  type Socket,
} from "node:net";
import { after, before, describe, test } from "node:test";
import { createServer as createTlsServer, type Server as TlsServer } from "node:tls";
import { createTestPki } from "../../src/pki/generate.ts";
import { codes, diagnoseJson } from "../integration/cli.ts";
import { buildNodeRoot, withContainerd } from "../integration/node-root.ts";
import { ensureTestHosts } from "../support/etc-hosts.ts";
import { TempDirs } from "../support/tmp.ts";

const HOST = "repo.example.com";
const TIMEOUT_MS = 4000; // diagnoseJson passes --timeout 4000
const dirs = new TempDirs();
let pki: Awaited<ReturnType<typeof createTestPki>>;
const sockets = new Set<Socket>();

before(async () => {
  await ensureTestHosts();
  pki = await createTestPki({ hostnames: [HOST] });
});
after(() => dirs.cleanup());

function listen(server: NetServer | TlsServer, address = "127.0.0.1"): Promise<number> {
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("error", () => {});
    s.on("close", () => sockets.delete(s));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, address, () => resolve((server.address() as AddressInfo).port));
  });
}

async function diagnoseAgainst(
  server: NetServer | TlsServer,
  target = (p: number) => `${HOST}:${p}`,
  exits: number[] = [1],
) {
  const port = await listen(server);
  try {
    const root = await buildNodeRoot(dirs, withContainerd());
    const t0 = Date.now();
    const { run, result } = await diagnoseJson(target(port), root);
    const elapsed = Date.now() - t0;
    assert.ok(elapsed < TIMEOUT_MS * 3 + 2000, `took ${elapsed} ms, budget --timeout ${TIMEOUT_MS}`);
    assert.ok(exits.includes(run.code), `exit ${run.code}\n${run.stdout.slice(0, 1500)}\n${run.stderr}`);
    assert.doesNotMatch(run.stderr, /internal error/i);
    console.log(`# ${target(port)} → ${codes(result).join(",")} in ${elapsed} ms`);
    return codes(result);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  }
}

const tlsOptions = () => ({ cert: `${pki.leaf.certPem}${pki.intermediate.certPem}`, key: pki.leaf.keyPem });

describe("diagnose: raw network faults → specific finding within the timeout", () => {
  test("reset during the handshake (RST on ClientHello)", async () => {
    const found = await diagnoseAgainst(createNetServer((s) => s.once("data", () => s.resetAndDestroy())));
    assert.ok(
      found.some((c) => /tls-handshake-failed|connection-reset|connection/.test(c)),
      found.join(),
    );
  });
  test("close right after the ClientHello", async () => {
    const found = await diagnoseAgainst(createNetServer((s) => s.once("data", () => s.end())));
    assert.ok(
      found.some((c) => /tls-handshake-failed|connection/.test(c)),
      found.join(),
    );
  });
  test("garbage bytes instead of a ServerHello", async () => {
    const found = await diagnoseAgainst(
      createNetServer((s) => s.once("data", () => s.end(randomBytes(512)))),
    );
    assert.ok(
      found.some((c) => /tls-handshake-failed|plain-http|not-tls/.test(c)),
      found.join(),
    );
  });
  test("tarpit at accept (connection accepted, nothing read or sent)", async () => {
    const found = await diagnoseAgainst(createNetServer(() => {}));
    assert.ok(
      found.some((c) => /timeout/.test(c)),
      found.join(),
    );
  });
  test("tarpit mid-handshake (reads ClientHello, sends half a ServerHello)", async () => {
    const found = await diagnoseAgainst(
      createNetServer((s) =>
        s.once("data", () => s.write(Buffer.from([0x16, 0x03, 0x03, 0x00, 0x50, 0x02]))),
      ),
    );
    assert.ok(
      found.some((c) => /timeout/.test(c)),
      found.join(),
    );
  });
  test("tarpit before HTTP headers (TLS completes, /v2/ never answered)", async () => {
    const server = createTlsServer(tlsOptions(), () => {});
    const found = await diagnoseAgainst(server);
    assert.ok(found.length > 0, "some finding");
    assert.ok(
      found.some((c) => /timeout|not-a-registry|registry|unknown-authority/.test(c)),
      found.join(),
    );
  });
  test("TLS 1.0-only server", async () => {
    const server = createTlsServer({
      ...tlsOptions(),
      minVersion: "TLSv1",
      maxVersion: "TLSv1",
      ciphers: "DEFAULT:@SECLEVEL=0",
    });
    server.on("tlsClientError", () => {});
    const found = await diagnoseAgainst(server);
    assert.ok(
      found.some((c) => /tls-handshake-failed|protocol|version/.test(c)),
      found.join(),
    );
  });
  test("server requiring SNI, reached by IP (no SNI sent): bounded, system context names the IP-SAN problem", async () => {
    const server = createTlsServer({
      ...tlsOptions(),
      SNICallback: (name, cb) => (name ? cb(null, undefined) : cb(new Error("SNI required"))),
    });
    server.on("tlsClientError", () => {});
    // containerd treats 127.0.0.1 registries as local (skip verify), so exit 0 is legitimate here.
    await diagnoseAgainst(server, (p) => `127.0.0.1:${p}`, [0, 1]);
  });

  test("/v2/ redirect loop: bounded, the chain verdict still given", async () => {
    const server = createHttpsServer(tlsOptions(), (req, res) => {
      res.writeHead(302, { location: req.url ?? "/v2/" }).end();
    });
    const found = await diagnoseAgainst(server);
    assert.ok(found.includes("unknown-authority"), found.join());
  });
  test("token realm that accepts and never answers: auth-realm-unreachable within the timeout", async () => {
    const tarpit = createNetServer(() => {});
    const realmPort = await listen(tarpit, "127.0.0.2"); // auth.example.com (etc-hosts.ts)
    const server = createHttpsServer(tlsOptions(), (_req, res) => {
      res
        .writeHead(401, {
          "docker-distribution-api-version": "registry/2.0",
          "www-authenticate": `Bearer realm="https://auth.example.com:${realmPort}/token",service="registry"`,
        })
        .end();
    });
    try {
      const found = await diagnoseAgainst(server);
      assert.ok(found.includes("auth-realm-unreachable"), found.join());
    } finally {
      await new Promise((r) => tarpit.close(r));
    }
  });
  test("a 50-certificate chain (the intermediate sent 49 times): bounded, verdict given", async () => {
    const chain = `${pki.leaf.certPem}${pki.intermediate.certPem.repeat(49)}`;
    const server = createHttpsServer({ cert: chain, key: pki.leaf.keyPem }, (_req, res) => {
      res.writeHead(200, { "docker-distribution-api-version": "registry/2.0" }).end("{}");
    });
    const found = await diagnoseAgainst(server);
    assert.deepEqual(found, ["unknown-authority"]);
  });
});

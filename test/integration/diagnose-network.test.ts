/**
 * `regtrust diagnose` when the network fails before any certificate check,
 * and what the registry API and its token realm answer.
 */
import assert from "node:assert/strict";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import {
  type AddressInfo,
  createServer as createNetServer,
  type Server as NetServer,
  type Socket,
} from "node:net";
import { after, before, describe, test } from "node:test";
import { createServer as createTlsServer, type Server as TlsServer } from "node:tls";
import { createPrivatePki, issueCertificate } from "../../src/pki/generate.ts";
import { ensureTestHosts } from "../support/etc-hosts.ts";
import { pickFreePort } from "../support/free-port.ts";
import { startRegistry } from "../support/registry.ts";
import { TempDirs } from "../support/tmp.ts";
import { codes, context, diagnoseJson } from "./cli.ts";
import { buildNodeRoot, withContainerd } from "./node-root.ts";

const HOST = "repo.example.com";
const dirs = new TempDirs();
let pki: Awaited<ReturnType<typeof createPrivatePki>>;
let trustingRoot: string;

before(async () => {
  await ensureTestHosts();
  pki = await createPrivatePki({ hostnames: [HOST, "auth.example.com"] });
});
after(() => dirs.cleanup());

async function nodeTrustingPki(registry: string): Promise<string> {
  const dir = `/etc/containerd/certs.d/${registry}`;
  trustingRoot = await buildNodeRoot(
    dirs,
    withContainerd({
      [`${dir}/hosts.toml`]: `server = "https://${registry}"\n[host."https://${registry}"]\n  ca = "${dir}/ca.crt"\n`,
      [`${dir}/ca.crt`]: pki.root.certPem,
    }),
  );
  return trustingRoot;
}

function listen<T extends NetServer | TlsServer | HttpsServer>(
  server: T,
  host = "127.0.0.1",
): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: NetServer | TlsServer | HttpsServer, sockets: Set<Socket> = new Set()): Promise<void> {
  for (const s of sockets) s.destroy();
  if ("closeAllConnections" in server) server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe("diagnose: network failures", () => {
  test("dns-failure: the name does not resolve", async () => {
    const root = await buildNodeRoot(dirs, withContainerd());
    const { run, result } = await diagnoseJson("registry.does-not-exist.invalid:5000", root);
    assert.equal(run.code, 1);
    assert.deepEqual(codes(result), ["dns-failure"]);
    assert.equal(
      context(result, "containerd").error,
      "dial tcp: lookup registry.does-not-exist.invalid: no such host",
    );
  });

  test("connection-refused: nothing listens on the port", async () => {
    const port = await pickFreePort("127.0.0.1");
    const root = await buildNodeRoot(dirs, withContainerd());
    const { result } = await diagnoseJson(`${HOST}:${port}`, root);
    assert.deepEqual(codes(result), ["connection-refused"]);
    assert.equal(
      context(result, "containerd").error,
      `dial tcp 127.0.0.1:${port}: connect: connection refused`,
    );
  });

  test("timeout: the port accepts but never completes the handshake (bounded by --timeout)", async () => {
    const sockets = new Set<Socket>();
    const tarpit = createNetServer((socket) => sockets.add(socket));
    const port = await listen(tarpit);
    try {
      const root = await buildNodeRoot(dirs, withContainerd());
      const started = Date.now();
      const { result } = await diagnoseJson(`${HOST}:${port}`, root, ["--timeout", "800"]);
      assert.ok(Date.now() - started < 5000, "diagnose must return within its timeout budget");
      assert.deepEqual(codes(result), ["timeout"]);
      assert.equal(context(result, "containerd").error, "net/http: TLS handshake timeout");
    } finally {
      await close(tarpit, sockets);
    }
  });

  test("plain-http: the registry serves cleartext HTTP (real docker-registry)", async () => {
    const reg = await startRegistry();
    try {
      const root = await buildNodeRoot(dirs, withContainerd());
      const { result } = await diagnoseJson(`${HOST}:${reg.port}`, root);
      assert.deepEqual(codes(result), ["plain-http"]);
      assert.match(result.findings[0]?.message ?? "", /GET \/v2\/ → 200, registry\/2\.0/);
      assert.equal(context(result, "containerd").error, "http: server gave HTTP response to HTTPS client");
    } finally {
      await reg.stop();
    }
  });

  test("tls-handshake-failed: the server demands a client certificate during a TLS 1.2 handshake", async () => {
    const server = createTlsServer({
      cert: `${pki.leaf.certPem}\n${pki.intermediate.certPem}\n`,
      key: pki.leaf.keyPem,
      maxVersion: "TLSv1.2",
      requestCert: true,
      rejectUnauthorized: true,
      ca: [pki.root.certPem],
    });
    server.on("tlsClientError", () => {});
    const port = await listen(server);
    try {
      const root = await buildNodeRoot(dirs, withContainerd());
      const { result } = await diagnoseJson(`${HOST}:${port}`, root);
      assert.deepEqual(codes(result), ["tls-handshake-failed"]);
    } finally {
      await close(server);
    }
  });
});

describe("diagnose: registry API and token realm", () => {
  test("not-a-registry: HTTPS answers, but /v2/ is 404", async () => {
    const server = createHttpsServer(
      { cert: `${pki.leaf.certPem}\n${pki.intermediate.certPem}\n`, key: pki.leaf.keyPem },
      (_req, res) => {
        res.statusCode = 404;
        res.end("not found");
      },
    );
    const port = await listen(server);
    try {
      const registry = `${HOST}:${port}`;
      const { result } = await diagnoseJson(registry, await nodeTrustingPki(registry));
      assert.deepEqual(codes(result, "error"), ["not-a-registry"]);
      assert.equal(result.registry?.status, 404);
      assert.equal(context(result, "containerd").ok, true, "TLS itself verifies");
      assert.equal(result.ok, false);
    } finally {
      await close(server);
    }
  });

  test("auth-realm-untrusted: the token service's certificate is from a CA the node lacks", async () => {
    const otherCa = await issueCertificate({ commonName: "Other Root CA", isCA: true });
    const authLeaf = await issueCertificate({
      commonName: "auth.example.com",
      dnsNames: ["auth.example.com"],
      issuer: otherCa,
      extKeyUsage: ["serverAuth"],
    });
    const auth = createHttpsServer({ cert: authLeaf.certPem, key: authLeaf.keyPem }, (_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end('{"token":"x"}');
    });
    const authPort = await listen(auth, "127.0.0.2");
    const realm = `https://auth.example.com:${authPort}/token`;
    const reg = await startRegistry({
      tls: { certPem: `${pki.leaf.certPem}\n${pki.intermediate.certPem}\n`, keyPem: pki.leaf.keyPem },
      auth: { token: { realm, service: "registry", issuer: "regtrust-test", rootCertPem: otherCa.certPem } },
    });
    try {
      const registry = `${HOST}:${reg.port}`;
      const { run, result } = await diagnoseJson(registry, await nodeTrustingPki(registry));
      assert.equal(run.code, 1);
      assert.equal(result.registry?.status, 401);
      assert.equal(result.registry?.authRealm, realm);
      assert.ok(codes(result, "error").includes("auth-realm-untrusted"), JSON.stringify(result.findings));
      assert.match(
        context(result, "containerd").error ?? "",
        /^failed to fetch anonymous token: tls: failed to verify certificate: x509: certificate signed by unknown authority/,
      );
    } finally {
      await reg.stop();
      await close(auth);
    }
  });

  test("auth-realm-unreachable: the token service does not answer", async () => {
    const closedPort = await pickFreePort("127.0.0.2");
    const realm = `https://auth.example.com:${closedPort}/token`;
    const reg = await startRegistry({
      tls: { certPem: `${pki.leaf.certPem}\n${pki.intermediate.certPem}\n`, keyPem: pki.leaf.keyPem },
      auth: { token: { realm, service: "registry", issuer: "regtrust-test", rootCertPem: pki.root.certPem } },
    });
    try {
      const registry = `${HOST}:${reg.port}`;
      const { result } = await diagnoseJson(registry, await nodeTrustingPki(registry));
      assert.ok(codes(result, "error").includes("auth-realm-unreachable"), JSON.stringify(result.findings));
    } finally {
      await reg.stop();
    }
  });
});

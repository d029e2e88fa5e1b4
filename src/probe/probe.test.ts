import assert from "node:assert/strict";
import { createServer as createHttpServer } from "node:http";
import { Socket } from "node:net";
import { before, describe, test } from "node:test";
import { createSecureContext } from "node:tls";
import { parseTarget } from "../target/parse-target.ts";
import { probe } from "./probe.ts";
import {
  closedPort,
  fakeResolver,
  httpsServer,
  listen,
  registryHandler,
  scriptedServer,
  tlsServer,
} from "./testing/loopback.ts";
import { chainPem, derOf, type RegistryPki, registryPki } from "./testing/pki.ts";

const NAME = "repo.example.com";
const resolver = fakeResolver({ [NAME]: ["127.0.0.1"] });
let pki: RegistryPki;
before(async () => {
  pki = await registryPki();
});

const target = (port: number, host = NAME) => parseTarget(`${host}:${port}`);

/** Runs a probe that must end by itself within the budget plus scheduling slack. */
async function timedProbe(port: number, timeoutMs: number, extra: Parameters<typeof probe>[1] | object = {}) {
  const started = performance.now();
  const result = await probe(target(port), { timeoutMs, resolver, ...extra });
  return { result, elapsed: performance.now() - started };
}

describe("probe: the happy path", () => {
  test("full chain: DNS, TCP, TLS with SNI, chain in order, /v2/ on the same connection", async (t) => {
    const server = await httpsServer(
      { key: pki.leaf.keyPem, cert: chainPem(pki.leaf, pki.intermediate) },
      registryHandler('Basic realm="Registry"'),
    );
    t.after(() => server.close());
    const connections: number[] = [];
    const result = await probe(target(server.port), {
      timeoutMs: 5000,
      resolver,
      dialer: (address, port) => {
        connections.push(port);
        return new Socket().connect({ host: address, port });
      },
    });
    assert.deepEqual(result.dns, { ok: true, addresses: ["127.0.0.1"], error: null });
    assert.deepEqual(result.tcp, { ok: true, address: "127.0.0.1", port: server.port, error: null });
    assert.equal(result.tls?.ok, true);
    assert.equal(result.tls?.serverName, NAME);
    assert.deepEqual(result.tls?.presented, derOf(pki.leaf, pki.intermediate));
    assert.deepEqual(result.registry, {
      ok: true,
      status: 401,
      apiVersion: "registry/2.0",
      challenge: { scheme: "Basic", realm: "Registry", service: null, scope: null },
      error: null,
    });
    assert.equal(result.realm, null, "a Basic challenge has no token realm");
    assert.equal(result.plainHttp, null);
    assert.deepEqual(connections, [server.port], "one TCP connection for handshake and /v2/");
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0]?.url, "/v2/");
    assert.equal(server.requests[0]?.headers.host, `${NAME}:${server.port}`);
    assert.equal(server.requests[0]?.headers.authorization, undefined, "never sends credentials");
    assert.ok(result.durationMs > 0);
  });

  test("leaf only: one certificate, and an IP target sends no SNI", async (t) => {
    const server = await httpsServer(
      { key: pki.leaf.keyPem, cert: chainPem(pki.leaf) },
      registryHandler(null),
    );
    t.after(() => server.close());
    const result = await probe(parseTarget(`127.0.0.1:${server.port}`), { timeoutMs: 5000, resolver });
    assert.deepEqual(resolver.asked.includes("127.0.0.1"), false, "IP literals skip DNS");
    assert.equal(result.tls?.serverName, null);
    assert.deepEqual(result.tls?.presented, derOf(pki.leaf));
    assert.equal(result.registry?.status, 200);
    assert.equal(server.requests[0]?.headers.host, `127.0.0.1:${server.port}`);
  });
});

describe("probe: failures are facts, each at its stage", () => {
  test("DNS failure from the resolver", async () => {
    const result = await probe(target(443, "nowhere.invalid"), { timeoutMs: 2000, resolver });
    assert.equal(result.dns.ok, false);
    assert.equal(result.dns.error?.kind, "dns");
    assert.equal(result.dns.error?.code, "ENOTFOUND");
    assert.equal(result.tcp, null);
    assert.equal(result.tls, null);
  });

  test("DNS that never answers → timeout within the budget", async () => {
    const silent = { lookup: () => new Promise<string[]>(() => {}) };
    const { result, elapsed } = await timedProbe(443, 200, { resolver: silent });
    assert.equal(result.dns.error?.kind, "timeout");
    assert.ok(elapsed < 1200, `took ${elapsed} ms`);
  });

  test("connection refused on a closed port", async () => {
    const result = await probe(target(await closedPort()), { timeoutMs: 2000, resolver });
    assert.equal(result.tcp?.ok, false);
    assert.equal(result.tcp?.error?.kind, "refused");
    assert.equal(result.tcp?.error?.code, "ECONNREFUSED");
    assert.equal(result.tls, null);
  });

  test("a connect that never completes → TCP timeout within the budget", async () => {
    const { result, elapsed } = await timedProbe(443, 200, { dialer: () => new Socket() });
    assert.equal(result.tcp?.error?.kind, "timeout");
    assert.equal(result.tls, null);
    assert.ok(elapsed < 1200, `took ${elapsed} ms`);
  });

  test("tarpit at accept: TCP connects, nothing ever comes back → TLS timeout", async (t) => {
    const server = await scriptedServer(() => {});
    t.after(() => server.close());
    const { result, elapsed } = await timedProbe(server.port, 300);
    assert.equal(result.tcp?.ok, true);
    assert.equal(result.tls?.ok, false);
    assert.equal(result.tls?.error?.tlsKind, "timeout");
    assert.equal(result.tls?.error?.kind, "timeout");
    assert.ok(elapsed >= 250 && elapsed < 1300, `took ${elapsed} ms`);
  });

  test("tarpit mid-handshake: a record header promising a ServerHello, then silence → TLS timeout", async (t) => {
    const server = await scriptedServer((socket) =>
      socket.once("data", () => socket.write(Buffer.from([0x16, 0x03, 0x03, 0x00, 0x40, 0x02]))),
    );
    t.after(() => server.close());
    const { result, elapsed } = await timedProbe(server.port, 300);
    assert.equal(result.tls?.error?.tlsKind, "timeout");
    assert.ok(elapsed < 1300, `took ${elapsed} ms`);
  });

  test("tarpit before HTTP headers: TLS completes, /v2/ never answers → registry timeout, chain kept", async (t) => {
    const server = await httpsServer(
      { key: pki.leaf.keyPem, cert: chainPem(pki.leaf, pki.intermediate) },
      () => {},
    );
    t.after(() => server.close());
    const { result, elapsed } = await timedProbe(server.port, 400);
    assert.equal(result.tls?.ok, true);
    assert.equal(result.tls?.presented.length, 2);
    assert.equal(result.registry?.status, null);
    assert.equal(result.registry?.error?.kind, "timeout");
    assert.ok(elapsed < 1400, `took ${elapsed} ms`);
  });

  test("reset during the handshake", async (t) => {
    const server = await scriptedServer((socket) => socket.once("data", () => socket.resetAndDestroy()));
    t.after(() => server.close());
    const result = await probe(target(server.port), { timeoutMs: 2000, resolver });
    assert.equal(result.tls?.error?.tlsKind, "reset");
    assert.equal(result.tls?.error?.code, "ECONNRESET");
  });

  test("plain HTTP registry on the port → plain-http and a cleartext /v2/ answer", async (t) => {
    const server = await listen(createHttpServer(registryHandler('Basic realm="r"')));
    t.after(() => server.close());
    const result = await probe(target(server.port), { timeoutMs: 3000, resolver });
    assert.equal(result.tls?.ok, false);
    assert.equal(result.tls?.error?.tlsKind, "plain-http");
    assert.deepEqual(result.plainHttp, { status: 401, apiVersion: "registry/2.0" });
    assert.equal(result.registry, null);
  });

  test("a cleartext service that is not HTTP → plain-http, no HTTP answer", async (t) => {
    const server = await scriptedServer((socket) => socket.end("SSH-2.0-OpenSSH_9.2\r\n"));
    t.after(() => server.close());
    const result = await probe(target(server.port), { timeoutMs: 3000, resolver });
    assert.equal(result.tls?.error?.tlsKind, "plain-http");
    assert.equal(result.plainHttp, null);
  });

  test("SNI-required server: rejects the IP target (no SNI), serves the name", async (t) => {
    const context = createSecureContext({ key: pki.leaf.keyPem, cert: chainPem(pki.leaf, pki.intermediate) });
    const server = await tlsServer({ SNICallback: (_name, cb) => cb(null, context) }, (s) =>
      s.end("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
    );
    t.after(() => server.close());
    const byIp = await probe(parseTarget(`127.0.0.1:${server.port}`), { timeoutMs: 3000, resolver });
    assert.equal(byIp.tls?.error?.tlsKind, "handshake");
    assert.match(byIp.tls?.error?.message ?? "", /handshake failure/);
    const byName = await probe(target(server.port), { timeoutMs: 3000, resolver });
    assert.equal(byName.tls?.ok, true);
    assert.equal(byName.registry?.status, 200);
  });

  test("unrecognized_name alert → handshake error with the alert text", async (t) => {
    const server = await scriptedServer((socket) =>
      socket.once("data", () => socket.end(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 112]))),
    );
    t.after(() => server.close());
    const result = await probe(target(server.port), { timeoutMs: 3000, resolver });
    assert.equal(result.tls?.error?.tlsKind, "handshake");
    assert.equal(result.tls?.error?.message, "tlsv1 unrecognized name (TLS alert 112)");
  });

  test("old-protocol server → handshake error (protocol version)", async (t) => {
    const server = await tlsServer({
      key: pki.leaf.keyPem,
      cert: chainPem(pki.leaf),
      minVersion: "TLSv1",
      maxVersion: "TLSv1.1",
      ciphers: "DEFAULT@SECLEVEL=0",
    });
    t.after(() => server.close());
    const result = await probe(target(server.port), { timeoutMs: 3000, resolver });
    assert.equal(result.tls?.error?.tlsKind, "handshake");
    assert.match(result.tls?.error?.message ?? "", /protocol version/);
  });

  test("TLS 1.3 server demanding a client certificate → handshake failure, presented chain kept", async (t) => {
    const server = await httpsServer(
      {
        key: pki.leaf.keyPem,
        cert: chainPem(pki.leaf, pki.intermediate),
        requestCert: true,
        rejectUnauthorized: true,
        ca: pki.root.certPem,
      },
      registryHandler(null),
    );
    t.after(() => server.close());
    const result = await probe(target(server.port), { timeoutMs: 3000, resolver });
    assert.equal(result.tls?.ok, false);
    assert.equal(result.tls?.error?.tlsKind, "handshake");
    assert.match(result.tls?.error?.message ?? "", /certificate required/);
    assert.equal(result.tls?.presented.length, 2);
    assert.equal(result.registry, null);
  });

  test("cancellation rejects with the signal's reason", async (t) => {
    const server = await scriptedServer(() => {});
    t.after(() => server.close());
    const controller = new AbortController();
    const pending = probe(target(server.port), { timeoutMs: 5000, resolver, signal: controller.signal });
    setTimeout(() => controller.abort(new Error("cancelled by test")), 50);
    await assert.rejects(pending, /cancelled by test/);
  });
});

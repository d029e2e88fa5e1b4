import assert from "node:assert/strict";
import { before, test } from "node:test";
import { parseTarget } from "../target/parse-target.ts";
import { probe } from "./probe.ts";
import { closedPort, fakeResolver, httpsServer, registryHandler } from "./testing/loopback.ts";
import { chainPem, derOf, type RegistryPki, registryPki } from "./testing/pki.ts";

const NAME = "repo.example.com";
const AUTH = "auth.example.com";
const resolver = fakeResolver({ [NAME]: ["127.0.0.1"], [AUTH]: ["127.0.0.1"] });
let registry: RegistryPki;
let auth: RegistryPki;
before(async () => {
  registry = await registryPki([NAME]);
  auth = await registryPki([AUTH]);
});

async function registryWithChallenge(challenge: string) {
  return httpsServer(
    { key: registry.leaf.keyPem, cert: chainPem(registry.leaf, registry.intermediate) },
    registryHandler(challenge),
  );
}

test("Bearer realm on another port: its own chain is captured and the anonymous token GET recorded", async (t) => {
  const tokens = await httpsServer({ key: auth.leaf.keyPem, cert: chainPem(auth.leaf) }, (_req, res) => {
    res.setHeader("Content-Type", "application/json");
    res.end('{"token":"anonymous"}');
  });
  t.after(() => tokens.close());
  const realm = `https://${AUTH}:${tokens.port}/token`;
  const server = await registryWithChallenge(
    `Bearer realm="${realm}",service="${NAME}",scope="repository:team/app:pull"`,
  );
  t.after(() => server.close());
  const result = await probe(parseTarget(`${NAME}:${server.port}`), { timeoutMs: 5000, resolver });
  assert.equal(result.realm?.url, realm);
  assert.equal(result.realm?.host, AUTH);
  assert.equal(result.realm?.port, tokens.port);
  assert.equal(result.realm?.dns.ok, true);
  assert.equal(result.realm?.tcp?.ok, true);
  assert.equal(result.realm?.tls?.serverName, AUTH);
  assert.deepEqual(result.realm?.tls?.presented, derOf(auth.leaf), "the realm's chain, not the registry's");
  assert.equal(result.realm?.status, 200);
  assert.equal(result.realm?.error, null);
  const query = new URL(tokens.requests[0]?.url ?? "", "https://x").searchParams;
  assert.equal(query.get("service"), NAME);
  assert.equal(query.get("scope"), "repository:team/app:pull");
  assert.equal(tokens.requests[0]?.headers.host, `${AUTH}:${tokens.port}`);
  assert.equal(tokens.requests[0]?.headers.authorization, undefined, "anonymous");
});

test("realm unreachable: connection refused is recorded at the realm's TCP stage", async (t) => {
  const port = await closedPort();
  const server = await registryWithChallenge(`Bearer realm="https://${AUTH}:${port}/token",service="r"`);
  t.after(() => server.close());
  const result = await probe(parseTarget(`${NAME}:${server.port}`), { timeoutMs: 3000, resolver });
  assert.equal(result.registry?.status, 401);
  assert.equal(result.realm?.tcp?.ok, false);
  assert.equal(result.realm?.tcp?.error?.kind, "refused");
  assert.equal(result.realm?.tls, null);
  assert.equal(result.realm?.status, null);
});

test("realm host that does not resolve", async (t) => {
  const server = await registryWithChallenge('Bearer realm="https://token.invalid/token"');
  t.after(() => server.close());
  const result = await probe(parseTarget(`${NAME}:${server.port}`), { timeoutMs: 3000, resolver });
  assert.equal(result.realm?.dns.ok, false);
  assert.equal(result.realm?.dns.error?.kind, "dns");
  assert.equal(result.realm?.tcp, null);
});

test("realm on the registry's own host:port: url/host/port only, same chain (tls null)", async (t) => {
  let port = 0;
  const server = await httpsServer(
    { key: registry.leaf.keyPem, cert: chainPem(registry.leaf, registry.intermediate) },
    (req, res) => registryHandler(`Bearer realm="https://${NAME}:${port}/token"`)(req, res),
  );
  port = server.port;
  t.after(() => server.close());
  const result = await probe(parseTarget(`${NAME}:${port}`), { timeoutMs: 3000, resolver });
  assert.equal(result.realm?.url, `https://${NAME}:${port}/token`);
  assert.equal(result.realm?.tls, null);
  assert.equal(result.realm?.tcp, null);
  assert.equal(result.realm?.status, null);
  assert.equal(server.requests.length, 1, "no second request to the registry");
});

test("an unusable realm URL is reported, not thrown", async (t) => {
  const server = await registryWithChallenge('Bearer realm="ftp://auth/token"');
  t.after(() => server.close());
  const result = await probe(parseTarget(`${NAME}:${server.port}`), { timeoutMs: 3000, resolver });
  assert.equal(result.realm?.dns.ok, false);
  assert.equal(result.realm?.error?.code, "ERR_INVALID_URL");
});

test("realm: false skips the realm probe", async (t) => {
  const server = await registryWithChallenge(`Bearer realm="https://${AUTH}:1/token"`);
  t.after(() => server.close());
  const result = await probe(parseTarget(`${NAME}:${server.port}`), {
    timeoutMs: 3000,
    resolver,
    realm: false,
  });
  assert.equal(result.registry?.challenge?.realm, `https://${AUTH}:1/token`);
  assert.equal(result.realm, null);
});

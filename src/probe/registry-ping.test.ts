import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { before, test } from "node:test";
import { parseTarget } from "../target/parse-target.ts";
import { probe } from "./probe.ts";
import { MAX_REDIRECTS } from "./registry-ping.ts";
import { fakeResolver, httpsServer, registryHandler } from "./testing/loopback.ts";
import { chainPem, type RegistryPki, registryPki } from "./testing/pki.ts";

const NAME = "repo.example.com";
const resolver = fakeResolver({ [NAME]: ["127.0.0.1"], "mirror.example.com": ["127.0.0.1"] });
let pki: RegistryPki;
before(async () => {
  pki = await registryPki([NAME, "mirror.example.com"]);
});

const tls = () => ({ key: pki.leaf.keyPem, cert: chainPem(pki.leaf, pki.intermediate) });

function redirect(res: ServerResponse, location: string): void {
  res.statusCode = 307;
  res.setHeader("Location", location);
  res.end();
}

test("/v2/ 404: a TLS endpoint that is not a registry is reported with its status", async (t) => {
  const server = await httpsServer(tls(), (_req, res) => {
    res.statusCode = 404;
    res.end("<html>not found</html>");
  });
  t.after(() => server.close());
  const result = await probe(parseTarget(`${NAME}:${server.port}`), { timeoutMs: 3000, resolver });
  assert.deepEqual(result.registry, {
    ok: true,
    status: 404,
    apiVersion: null,
    challenge: null,
    error: null,
  });
});

test("a pasted /v2/… URL still pings the API base /v2/ (issue #17 item 3)", async (t) => {
  const server = await httpsServer(tls(), registryHandler(null));
  t.after(() => server.close());
  await probe(parseTarget(`https://${NAME}:${server.port}/v2/team/app/tags/list`), {
    timeoutMs: 3000,
    resolver,
  });
  assert.equal(server.requests[0]?.url, "/v2/");
});

test("a URL path outside /v2/ still pings /v2/", async (t) => {
  const server = await httpsServer(tls(), registryHandler(null));
  t.after(() => server.close());
  await probe(parseTarget(`https://${NAME}:${server.port}/ui/`), { timeoutMs: 3000, resolver });
  assert.equal(server.requests[0]?.url, "/v2/");
});

test("a redirect to another endpoint is followed over a new TLS connection", async (t) => {
  const mirror = await httpsServer(tls(), registryHandler('Bearer realm="https://auth.example.com/token"'));
  t.after(() => mirror.close());
  const server = await httpsServer(tls(), (_req, res) =>
    redirect(res, `https://mirror.example.com:${mirror.port}/v2/`),
  );
  t.after(() => server.close());
  const result = await probe(parseTarget(`${NAME}:${server.port}`), {
    timeoutMs: 3000,
    resolver,
    realm: false,
  });
  assert.equal(result.registry?.status, 401);
  assert.equal(result.registry?.challenge?.realm, "https://auth.example.com/token");
  assert.equal(mirror.requests[0]?.headers.host, `mirror.example.com:${mirror.port}`);
  assert.equal(mirror.requests[0]?.headers.authorization, undefined);
});

test("a redirect loop is an error, not a hang", async (t) => {
  const server = await httpsServer(tls(), (req, res) => redirect(res, req.url === "/v2/" ? "/v2/a" : "/v2/"));
  t.after(() => server.close());
  const result = await probe(parseTarget(`${NAME}:${server.port}`), { timeoutMs: 3000, resolver });
  assert.equal(result.registry?.ok, false);
  assert.equal(result.registry?.error?.code, "ERR_REDIRECT_LOOP");
  assert.equal(server.requests.length, 2);
});

test(`more than ${MAX_REDIRECTS} redirects is an error`, async (t) => {
  const server = await httpsServer(tls(), (req, res) => redirect(res, `${req.url}x`));
  t.after(() => server.close());
  const result = await probe(parseTarget(`${NAME}:${server.port}`), { timeoutMs: 3000, resolver });
  assert.equal(result.registry?.error?.code, "ERR_TOO_MANY_REDIRECTS");
  assert.equal(server.requests.length, MAX_REDIRECTS + 1);
});

test("a redirect to cleartext HTTP is not followed", async (t) => {
  const server = await httpsServer(tls(), (_req, res) => redirect(res, "http://repo.example.com/v2/"));
  t.after(() => server.close());
  const result = await probe(parseTarget(`${NAME}:${server.port}`), { timeoutMs: 3000, resolver });
  assert.equal(result.registry?.error?.code, "ERR_REDIRECT_NOT_HTTPS");
});

import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { after, before, describe, it } from "node:test";
import { issueCertificate } from "../pki/generate.ts";
import { Budget } from "../probe/budget.ts";
import { systemResolver } from "../probe/resolver.ts";
import { closedPort, httpsServer, type Loopback, listen } from "../probe/testing/loopback.ts";
import { type AiaFetchResult, type AiaLimits, DEFAULT_AIA_LIMITS, httpAiaFetcher } from "./aia-fetch.ts";

/** The AIA HTTP client against real loopback servers: every hostile answer ends bounded and typed. */

type Route = (req: IncomingMessage, res: ServerResponse) => void;
const routes = new Map<string, Route>();
let server: Loopback;
let base: string;

before(async () => {
  server = await listen(
    createServer((req, res) => {
      const route = routes.get(req.url ?? "");
      if (route) route(req, res);
      else {
        res.statusCode = 404;
        res.end("not found");
      }
    }),
  );
  base = `http://127.0.0.1:${server.port}`;
  const redirect =
    (to: string): Route =>
    (_req, res) => {
      res.writeHead(302, { Location: to });
      res.end();
    };
  routes.set("/ok.der", (_req, res) => res.end(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01])));
  routes.set("/moved", redirect("/ok.der"));
  routes.set("/r1", redirect("/r2"));
  routes.set("/r2", redirect(`${base}/r1`));
  for (let i = 0; i < 5; i++) routes.set(`/hop${i}`, redirect(`/hop${i + 1}`));
  routes.set("/to-ftp", redirect("ftp://127.0.0.1/ca.der"));
  routes.set("/announced-huge", (_req, res) => {
    res.writeHead(200, { "Content-Length": String(10 * 1024 * 1024) });
    res.write(Buffer.alloc(1024));
  });
  routes.set("/streamed-huge", (_req, res) => {
    // Chunked, no Content-Length: the client must count and stop on its own.
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    const push = () => {
      while (!res.destroyed && res.write(chunk)) {}
      if (!res.destroyed) res.once("drain", push);
    };
    res.on("close", () => res.destroy());
    push();
  });
  routes.set("/hang", () => {});
  routes.set("/trickle", (_req, res) => {
    res.writeHead(200, { "Content-Length": "4096" });
    res.write("0");
  });
});
after(() => server.close());

const LIMITS: AiaLimits = { ...DEFAULT_AIA_LIMITS, perUrlMs: 1_000 };

async function fetchUrl(url: string, opts: { limits?: AiaLimits; budgetMs?: number } = {}) {
  const fetcher = httpAiaFetcher(systemResolver);
  const started = performance.now();
  const result = await fetcher(url, {
    budget: new Budget(opts.budgetMs ?? 5_000),
    limits: opts.limits ?? LIMITS,
    visited: new Set(),
    requestsLeft: 12,
  });
  return { result, ms: performance.now() - started };
}

function failure(result: AiaFetchResult): { kind: string; message: string } {
  assert.equal(result.ok, false, "expected a failure");
  return result as { kind: string; message: string };
}

describe("httpAiaFetcher", () => {
  it("returns the body of a 200", async () => {
    const { result } = await fetchUrl(`${base}/ok.der`);
    assert.ok(result.ok);
    assert.deepEqual([...result.body], [0x30, 0x03, 0x02, 0x01, 0x01]);
    assert.equal(result.requests, 1);
  });

  it("follows a relative redirect and says where it ended", async () => {
    const { result } = await fetchUrl(`${base}/moved`);
    assert.ok(result.ok);
    assert.equal(result.finalUrl, `${base}/ok.der`);
    assert.equal(result.requests, 2);
  });

  const cases: { path: string; kind: string; message: RegExp }[] = [
    { path: "/missing", kind: "http-status", message: /HTTP 404/ },
    { path: "/r1", kind: "loop", message: /lead back to .*\/r1.*redirect loop/ },
    { path: "/hop0", kind: "redirects", message: /more than 3 redirects/ },
    { path: "/to-ftp", kind: "unsupported-scheme", message: /redirect to ftp:/ },
    {
      path: "/announced-huge",
      kind: "too-large",
      message: /announces 10485760 bytes, more than the 262144-byte limit/,
    },
    { path: "/streamed-huge", kind: "too-large", message: /larger than the 262144-byte limit/ },
    { path: "/hang", kind: "timeout", message: /no answer in time/ },
    { path: "/trickle", kind: "timeout", message: /reading the answer body/ },
  ];
  for (const c of cases) {
    it(`${c.path} → ${c.kind}, within the per-URL bound`, async () => {
      const { result, ms } = await fetchUrl(`${base}${c.path}`);
      const f = failure(result);
      assert.equal(f.kind, c.kind, f.message);
      assert.match(f.message, c.message);
      assert.ok(ms < 3_000, `took ${ms} ms`);
    });
  }

  it("never waits past the overall budget, whatever the per-URL bound", async () => {
    const { result, ms } = await fetchUrl(`${base}/hang`, {
      limits: { ...LIMITS, perUrlMs: 60_000 },
      budgetMs: 300,
    });
    assert.equal(failure(result).kind, "timeout");
    assert.ok(ms < 2_000, `took ${ms} ms`);
  });

  it("reports a refused connection as a network failure", async () => {
    const port = await closedPort();
    const f = failure((await fetchUrl(`http://127.0.0.1:${port}/ca.der`)).result);
    assert.equal(f.kind, "network");
    assert.match(f.message, /ECONNREFUSED/);
  });

  it("refuses a URL already requested in this completion", async () => {
    const fetcher = httpAiaFetcher(systemResolver);
    const ctx = {
      budget: new Budget(5_000),
      limits: LIMITS,
      visited: new Set([`${base}/ok.der`]),
      requestsLeft: 12,
    };
    assert.equal(failure(await fetcher(`${base}/ok.der`, ctx)).kind, "loop");
  });

  it("fetches over https without judging the server's certificate (the signature check decides)", async () => {
    const self = await issueCertificate({ commonName: "aia.example.com", dnsNames: ["aia.example.com"] });
    const tls = await httpsServer({ cert: self.certPem, key: self.keyPem }, (_req, res) => res.end("DER"));
    try {
      const { result } = await fetchUrl(`https://127.0.0.1:${tls.port}/ca.der`);
      assert.ok(result.ok, result.ok ? "" : result.message);
      assert.equal(result.body.toString(), "DER");
    } finally {
      await tls.close();
    }
  });
});

import assert from "node:assert/strict";
import { access } from "node:fs/promises";
import { request as httpsRequest } from "node:https";
import { createServer } from "node:net";
import { after, before, describe, it } from "node:test";
import type { ScenarioPki } from "./error-scenarios.ts";
import { AddressInUseError, retryOnAddressInUse } from "./free-port.ts";
import { runCommand } from "./processes.ts";
import { type RunningRegistry, startRegistry } from "./registry.ts";
import { makeScenarioPki } from "./scenario-pki.ts";

const running: RunningRegistry[] = [];
after(() => Promise.all(running.map((r) => r.stop())));

async function start(opts: Parameters<typeof startRegistry>[0]): Promise<RunningRegistry> {
  const registry = await startRegistry(opts);
  running.push(registry);
  return registry;
}

function basic(user: string, password: string): { authorization: string } {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` };
}

describe("startRegistry", () => {
  it("serves /v2/ over plain HTTP and cleans up on stop", async () => {
    const registry = await start({});
    assert.match(registry.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await fetch(`${registry.url}/v2/`)).status, 200);
    await registry.stop();
    await assert.rejects(fetch(`${registry.url}/v2/`));
    await assert.rejects(access(registry.dataDir));
    assert.match(registry.logs(), /listening on 127\.0\.0\.1:\d+/);
  });

  it("enforces htpasswd (bcrypt) credentials", async () => {
    const registry = await start({ auth: { htpasswd: { user: "alice", password: "s3cret" } } });
    const anonymous = await fetch(`${registry.url}/v2/`);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get("www-authenticate"), 'Basic realm="regtrust-test"');
    assert.equal((await fetch(`${registry.url}/v2/`, { headers: basic("alice", "s3cret") })).status, 200);
    assert.equal((await fetch(`${registry.url}/v2/`, { headers: basic("alice", "wrong") })).status, 401);
  });

  it("fails with the registry's own log when the configuration is unusable", async () => {
    const bad = { certPem: "not a certificate", keyPem: "not a key" };
    await assert.rejects(
      startRegistry({ tls: bad }),
      /docker-registry exited during start-up[\s\S]*--- docker-registry log ---/,
    );
  });

  it("reports a fixed port that is already taken", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as { port: number };
    try {
      await assert.rejects(startRegistry({ port }), AddressInUseError);
    } finally {
      blocker.close();
    }
  });
});

describe("retryOnAddressInUse", () => {
  it("picks a new port after losing a race", async () => {
    const tried: number[] = [];
    const result = await retryOnAddressInUse("127.0.0.1", async (port) => {
      tried.push(port);
      if (tried.length === 1) throw new AddressInUseError(`127.0.0.1:${port}`);
      return port;
    });
    assert.equal(tried.length, 2);
    assert.equal(result, tried[1]);
  });

  it("passes other errors straight through", async () => {
    await assert.rejects(
      retryOnAddressInUse("127.0.0.1", async () => {
        throw new Error("boom");
      }),
      /boom/,
    );
  });
});

describe("startRegistry with TLS", () => {
  let pki: ScenarioPki;
  before(async () => {
    pki = await makeScenarioPki();
  });

  async function presentedSubjects(port: number): Promise<string[]> {
    const argv = [
      "openssl",
      "s_client",
      "-connect",
      `127.0.0.1:${port}`,
      "-servername",
      "repo.example.com",
      "-showcerts",
    ];
    const result = await runCommand(argv, { timeoutMs: 10_000, input: "" });
    assert.match(result.stdout, /BEGIN CERTIFICATE/, result.stderr);
    // s_client prints " 0 s:CN = …" per certificate the server sent, in order.
    return [...result.stdout.matchAll(/^ *\d+ s:(.*)$/gm)].map((m) => m[1]!.trim());
  }

  it("sends exactly the chain in certPem, in order", async () => {
    const chain = pki.leaf.certPem + pki.intermediatePem;
    const registry = await start({ tls: { certPem: chain, keyPem: pki.leaf.keyPem } });
    assert.match(registry.url, /^https:\/\//);
    const subjects = await presentedSubjects(registry.port);
    assert.equal(subjects.length, 2);
    assert.equal(subjects[0], "CN = repo.example.com");
    assert.match(subjects[1]!, /CN = regtrust Test Root CA Intermediate/);
  });

  it("sends the root too when the test appends it", async () => {
    const chain = pki.leaf.certPem + pki.intermediatePem + pki.rootPem;
    const registry = await start({ tls: { certPem: chain, keyPem: pki.leaf.keyPem } });
    assert.equal((await presentedSubjects(registry.port)).length, 3);
  });

  it("sends a leaf alone when given a leaf alone", async () => {
    const registry = await start({ tls: { certPem: pki.leaf.certPem, keyPem: pki.leaf.keyPem } });
    assert.deepEqual(await presentedSubjects(registry.port), ["CN = repo.example.com"]);
  });

  it("challenges for a bearer token from the configured realm", async () => {
    const token = {
      realm: "https://auth.example.com/token",
      service: "repo.example.com",
      issuer: "regtrust-test",
    };
    const registry = await start({
      tls: { certPem: pki.leaf.certPem, keyPem: pki.leaf.keyPem },
      auth: { token: { ...token, rootCertPem: pki.rootPem } },
    });
    const status = await new Promise<{ code: number; challenge: string }>((resolve, reject) => {
      const req = httpsRequest(`${registry.url}/v2/`, { rejectUnauthorized: false, timeout: 5000 }, (res) => {
        res.resume();
        resolve({ code: res.statusCode ?? 0, challenge: String(res.headers["www-authenticate"]) });
      });
      req.on("error", reject);
      req.end();
    });
    assert.equal(status.code, 401);
    assert.equal(
      status.challenge,
      'Bearer realm="https://auth.example.com/token",service="repo.example.com"',
    );
  });
});

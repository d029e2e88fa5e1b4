import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { TlsOptions } from "node:tls";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Budget } from "./budget.ts";
import { captureChain, peerChainFallback } from "./capture-chain.ts";
import { handshakeTls, type TlsSession } from "./handshake.ts";
import { tlsServer } from "./testing/loopback.ts";
import { chainPem, derOf, type RegistryPki, registryPki } from "./testing/pki.ts";

let pki: RegistryPki;
before(async () => {
  pki = await registryPki();
});

/** Serves `cert` with the given protocol settings, runs our handshake against it, closes everything. */
async function handshakeWith(cert: string, tls: TlsOptions = {}): Promise<TlsSession> {
  const server = await tlsServer({ key: pki.leaf.keyPem, cert, ...tls }, (socket) => socket.end());
  try {
    const tcp = connect({ host: "127.0.0.1", port: server.port });
    await new Promise((resolve, reject) => tcp.once("connect", resolve).once("error", reject));
    const session = await handshakeTls(tcp, "repo.example.com", new Budget(5000));
    return session;
  } finally {
    await server.close();
  }
}

const PROTOCOLS: { name: string; tls: TlsOptions; protocol: string; cipher: string }[] = [
  {
    name: "TLS 1.2",
    tls: { maxVersion: "TLSv1.2" },
    protocol: "TLSv1.2",
    cipher: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  },
  ...["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"].map((suite) => ({
    name: `TLS 1.3 ${suite}`,
    tls: { minVersion: "TLSv1.3" as const, ciphers: suite },
    protocol: "TLSv1.3",
    cipher: suite,
  })),
];

describe("captureChain: exactly what the server sent, in order", () => {
  for (const p of PROTOCOLS) {
    test(`${p.name}: leaf only, full chain, wrong order, duplicates`, async () => {
      const { leaf, intermediate: int, root } = pki;
      const cases = [
        { sent: [leaf], why: "leaf only" },
        { sent: [leaf, int], why: "leaf + intermediate" },
        { sent: [leaf, root, int], why: "wrong order (root before intermediate)" },
        { sent: [leaf, int, int], why: "duplicate intermediate" },
      ];
      for (const c of cases) {
        const session = await handshakeWith(chainPem(...c.sent), p.tls);
        session.socket?.destroy();
        assert.equal(session.facts.ok, true, c.why);
        assert.equal(session.facts.protocol, p.protocol, c.why);
        assert.equal(session.facts.cipher, p.cipher, c.why);
        assert.deepEqual(session.facts.presented, derOf(...c.sent), c.why);
        assert.equal(session.facts.captureNote, undefined, c.why);
      }
    });
  }

  test("TLS 1.3 after a HelloRetryRequest: encrypted records still start at sequence 0", async () => {
    // The server accepts only P-384; Node's first key share is X25519, so the server must ask again.
    const session = await handshakeWith(chainPem(pki.leaf, pki.intermediate), { ecdhCurve: "P-384" });
    session.socket?.destroy();
    assert.equal(session.facts.protocol, "TLSv1.3");
    assert.deepEqual(session.facts.presented, derOf(pki.leaf, pki.intermediate));
    assert.equal(session.facts.captureNote, undefined);
  });

  test("TLS 1.2 with a CBC suite reads the same cleartext Certificate message", async () => {
    const session = await handshakeWith(chainPem(pki.leaf, pki.root, pki.intermediate), {
      maxVersion: "TLSv1.2",
      ciphers: "ECDHE-ECDSA-AES256-SHA",
    });
    session.socket?.destroy();
    assert.equal(session.facts.cipher, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA");
    assert.deepEqual(session.facts.presented, derOf(pki.leaf, pki.root, pki.intermediate));
  });

  test("a Certificate message spanning several TLS records is reassembled", async () => {
    const many = Array.from({ length: 60 }, () => pki.intermediate);
    const session = await handshakeWith(chainPem(pki.leaf, ...many));
    session.socket?.destroy();
    assert.ok(derOf(pki.intermediate)[0]!.length * 60 > 16_384, "the chain must exceed one 16 KiB record");
    assert.equal(session.facts.presented.length, 61);
    assert.deepEqual(session.facts.presented, derOf(pki.leaf, ...many));
  });

  test("OpenSSL's issuer-linked view differs (why the wire is read): reordered, duplicates dropped", async () => {
    const session = await handshakeWith(chainPem(pki.leaf, pki.root, pki.intermediate, pki.intermediate));
    assert.ok(session.socket);
    const linked = peerChainFallback(session.socket);
    session.socket.destroy();
    assert.deepEqual(linked, derOf(pki.leaf, pki.intermediate, pki.root));
    assert.deepEqual(session.facts.presented, derOf(pki.leaf, pki.root, pki.intermediate, pki.intermediate));
  });

  test("unreadable wire evidence falls back to the issuer-linked view and says so", async () => {
    const session = await handshakeWith(chainPem(pki.leaf, pki.intermediate));
    assert.ok(session.socket);
    const chain = captureChain(session.socket, { received: new Uint8Array(), overflowed: false, keylog: [] });
    session.socket.destroy();
    assert.deepEqual(chain.presented, derOf(pki.leaf, pki.intermediate));
    assert.match(chain.note ?? "", /issuer.*no TLS 1\.3 handshake secret/);
  });
});

describe("captureChain never adds certificates from the client's trust store", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "regtrust-probe-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("leaf-only server whose root is in Node's built-in store → one certificate", async () => {
    const rootFile = join(dir, "root.pem");
    await writeFile(rootFile, pki.root.certPem);
    const server = await tlsServer(
      { key: pki.rootSignedLeaf.keyPem, cert: pki.rootSignedLeaf.certPem },
      (s) => s.end(),
    );
    try {
      const child = fileURLToPath(new URL("./testing/store-completion-child.ts", import.meta.url));
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ["--import", "tsx", child, String(server.port)],
        {
          cwd: fileURLToPath(new URL("../", import.meta.url)),
          env: { ...process.env, NODE_EXTRA_CA_CERTS: rootFile },
          timeout: 30_000,
        },
      );
      const counts = JSON.parse(stdout) as { naive: number; wire: number; fallback: number };
      // The control: a plain getPeerCertificate(true) walk reports the root the server never sent.
      assert.equal(counts.naive, 2, "the test setup must put the root in the child's store");
      assert.equal(counts.wire, 1);
      assert.equal(counts.fallback, 1, "the placeholder store keeps the fallback from adding the root too");
    } finally {
      await server.close();
    }
  });
});

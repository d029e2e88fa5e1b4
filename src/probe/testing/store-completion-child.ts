/**
 * Child process for capture-chain.test.ts, started with NODE_EXTRA_CA_CERTS
 * holding the test root, so the root is in this process's built-in store
 * exactly as a public root is in Node's bundled one. Prints how many
 * certificates each method reports for the server on argv[2].
 */
import { connect as connectTcp } from "node:net";
import { connect as connectTls, type DetailedPeerCertificate } from "node:tls";
import { Budget } from "../budget.ts";
import { peerChainFallback } from "../capture-chain.ts";
import { handshakeTls } from "../handshake.ts";

const port = Number(process.argv[2]);

/** What a naive client reports: Node's default context, walking issuerCertificate. */
async function naiveCount(): Promise<number> {
  const socket = connectTls({
    host: "127.0.0.1",
    port,
    servername: "repo.example.com",
    rejectUnauthorized: false,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("secureConnect", resolve);
    socket.once("error", reject);
  });
  const seen = new Set<string>();
  let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (cert?.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    cert = cert.issuerCertificate;
  }
  socket.destroy();
  return seen.size;
}

async function probeCounts(): Promise<{ wire: number; fallback: number }> {
  const tcp = connectTcp({ host: "127.0.0.1", port });
  await new Promise<void>((resolve, reject) => {
    tcp.once("connect", resolve);
    tcp.once("error", reject);
  });
  const session = await handshakeTls(tcp, "repo.example.com", new Budget(5000));
  if (!session.socket) throw new Error(`handshake failed: ${session.facts.error?.message}`);
  const counts = { wire: session.facts.presented.length, fallback: peerChainFallback(session.socket).length };
  session.socket.destroy();
  return counts;
}

const counts = { naive: await naiveCount(), ...(await probeCounts()) };
process.stdout.write(`${JSON.stringify(counts)}\n`);

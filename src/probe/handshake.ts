import type { Socket } from "node:net";
import { connect, type TLSSocket } from "node:tls";
import { type Budget, withinBudget } from "./budget.ts";
import { captureChain, chainAfterFailure } from "./capture-chain.ts";
import { isolatedSecureContext } from "./isolated-context.ts";
import { toTlsError } from "./net-error.ts";
import type { TlsFacts } from "./types.ts";
import { tapInbound } from "./wire-tap.ts";

export interface TlsSession {
  facts: TlsFacts;
  /** The secured socket, ready for an HTTP request; null when the handshake failed. */
  socket: TLSSocket | null;
}

/**
 * TLS client handshake over an open TCP socket. SNI is `serverName` (none for
 * IP targets, as Go's crypto/tls does). Verification is off on purpose: the
 * probe only records what was presented; evaluate/ judges trust per runtime.
 */
export async function handshakeTls(
  tcp: Socket,
  serverName: string | null,
  budget: Budget,
): Promise<TlsSession> {
  const tap = tapInbound(tcp);
  const keylog: Buffer[] = [];
  const socket = connect({
    socket: tap.stream,
    secureContext: isolatedSecureContext(),
    rejectUnauthorized: false,
    // Skip Node's name check (it would walk the peer chain for nothing).
    checkServerIdentity: () => undefined,
    ...(serverName ? { servername: serverName } : {}),
  });
  socket.on("keylog", (line: Buffer) => keylog.push(line));
  socket.on("error", () => {});
  const secured = new Promise<void>((resolve, reject) => {
    socket.once("secureConnect", () => resolve());
    socket.once("error", reject);
    socket.once("close", () =>
      reject(Object.assign(new Error("connection closed during the TLS handshake"), { code: "ECONNRESET" })),
    );
  });
  try {
    await withinBudget(budget, "waiting for the TLS handshake", secured, () => socket.destroy());
  } catch (error) {
    const received = tap.received();
    socket.destroy();
    budget.signal?.throwIfAborted();
    const facts = failedHandshake(serverName, toTlsError(error, received));
    const sent = chainAfterFailure({ received, keylog });
    if (sent) {
      facts.presented = sent.presented;
      facts.certificateMessage = sent.message;
    }
    return { facts, socket: null };
  }
  const chain = captureChain(socket, { received: tap.received(), overflowed: tap.overflowed(), keylog });
  tap.stop();
  keylog.length = 0;
  const facts: TlsFacts = {
    ok: true,
    protocol: socket.getProtocol(),
    cipher: socket.getCipher()?.standardName ?? null,
    presented: chain.presented,
    serverName,
    error: null,
  };
  if (chain.note) facts.captureNote = chain.note;
  return { facts, socket };
}

function failedHandshake(serverName: string | null, error: NonNullable<TlsFacts["error"]>): TlsFacts {
  return { ok: false, protocol: null, cipher: null, presented: [], serverName, error };
}

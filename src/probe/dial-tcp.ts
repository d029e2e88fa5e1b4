import { connect, type Socket } from "node:net";
import { type Budget, withinBudget } from "./budget.ts";
import { toNetError } from "./net-error.ts";
import type { TcpFacts } from "./types.ts";

/** Opens a TCP connection; injectable so tests can simulate a peer that never completes the connect. */
export type Dialer = (address: string, port: number) => Socket;

export const systemDialer: Dialer = (address, port) => connect({ host: address, port });

export interface TcpConnection {
  facts: TcpFacts;
  /** The connected socket; null when the connect failed. */
  socket: Socket | null;
}

/** One connect attempt to one address, bounded by the budget; the socket is destroyed on failure. */
export async function dialTcp(
  address: string,
  port: number,
  dialer: Dialer,
  budget: Budget,
): Promise<TcpConnection> {
  const socket = dialer(address, port);
  // Later stages add their own listeners; this one keeps a stray error from crashing the process.
  socket.on("error", () => {});
  const connected = new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("error", reject);
  });
  try {
    await withinBudget(budget, `connecting to ${address}:${port}`, connected, () => socket.destroy());
    return { facts: { ok: true, address, port, error: null }, socket };
  } catch (error) {
    socket.destroy();
    budget.signal?.throwIfAborted();
    return { facts: { ok: false, address, port, error: toNetError(error) }, socket: null };
  }
}

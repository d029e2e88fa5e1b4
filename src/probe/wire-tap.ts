import type { Socket } from "node:net";
import { Duplex } from "node:stream";

/**
 * A pass-through stream between the TCP socket and the TLS client that keeps
 * a copy of what the server sent during the handshake. Node exposes the
 * peer's certificates only re-ordered by issuer (and completed from the trust
 * store), so the exact Certificate message has to be read off the wire.
 * Handing `tls.connect` a plain Duplex makes Node read through JavaScript
 * instead of straight from the socket handle, which is what lets us see the bytes.
 */
export interface WireTap {
  /** Give this to `tls.connect({ socket })`. */
  stream: Duplex;
  /** Bytes received so far (up to the cap). */
  received(): Uint8Array;
  /** True when more than the cap arrived; the copy is then incomplete. */
  overflowed(): boolean;
  /** Stop copying (after the handshake); the stream keeps passing data. */
  stop(): void;
}

/** A certificate chain larger than this is not a chain a runtime would accept either. */
export const TAP_LIMIT_BYTES = 512 * 1024;

export function tapInbound(socket: Socket, limitBytes = TAP_LIMIT_BYTES): WireTap {
  const chunks: Buffer[] = [];
  let size = 0;
  let copying = true;
  let overflow = false;
  const stream = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      socket.write(chunk, callback);
    },
    final(callback) {
      socket.end();
      callback();
    },
    destroy(error, callback) {
      socket.destroy();
      callback(error);
    },
  });
  socket.on("data", (chunk: Buffer) => {
    if (copying) {
      if (size + chunk.length > limitBytes) {
        overflow = true;
        copying = false;
      } else {
        chunks.push(chunk);
        size += chunk.length;
      }
    }
    if (!stream.push(chunk)) socket.pause();
  });
  socket.on("end", () => stream.push(null));
  socket.on("error", (error) => stream.destroy(error));
  return {
    stream,
    received: () => Buffer.concat(chunks),
    overflowed: () => overflow,
    stop: () => {
      copying = false;
      chunks.length = 0;
    },
  };
}

import type { Der } from "./der-write.ts";

/** One verification the oracle and regtrust both judge. */
export interface OracleCase {
  id: string;
  /** What the server presents, leaf first, exactly as sent. */
  chain: Der[];
  /** CA certificates added to the system pool (a runtime's CA file for the registry), in order. */
  roots: Der[];
  /** tls.Config.ServerName: the registry host (a DNS name or an IP literal). */
  serverName: string;
  time: Date;
}

export function pem(ders: readonly Der[]): string {
  return ders
    .map((der) => {
      const b64 = Buffer.from(der).toString("base64").replace(/.{64}/g, "$&\n");
      return `-----BEGIN CERTIFICATE-----\n${b64}${b64.endsWith("\n") ? "" : "\n"}-----END CERTIFICATE-----\n`;
    })
    .join("");
}

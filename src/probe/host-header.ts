import { ipVersionOf } from "../target/ip-literal.ts";

/** "host", "host:port" or "[v6]:port": the authority a Go client puts in the URL, and so in Host. */
export function authority(host: string, port: number | null): string {
  const shown = ipVersionOf(host) === 6 ? `[${host}]` : host;
  return port === null ? shown : `${shown}:${port}`;
}

/** SNI for a host: none for IP literals (RFC 6066 §3 forbids literal addresses in server_name). */
export function serverNameFor(host: string): string | null {
  return ipVersionOf(host) === 0 ? host : null;
}

/** Host and port of an http(s) URL, without IPv6 brackets and with the scheme's default port filled in. */
export function urlEndpoint(url: URL): { host: string; port: number } {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  const port = url.port ? Number(url.port) : url.protocol === "http:" ? 80 : 443;
  return { host, port };
}

import { InputError } from "../core/errors.ts";
import { ipVersionOf } from "./ip-literal.ts";
import type { Target } from "./target.ts";

/**
 * Parses what an operator types: `host`, `host:port`, `[v6]:port`, an image
 * reference (`host:port/team/app:1.2`, `…@sha256:…`, `nginx:1.27` → docker.io)
 * or an `https://host:port/v2/` URL. Mirrors the reference grammar of
 * distribution/reference (reference.go, normalize.go): the first path
 * component is a registry only if it contains "." or ":" or is "localhost".
 */
export function parseTarget(input: string): Target {
  const text = input.trim();
  if (text === "") throw bad(input, "the target is empty");
  if (/[^\x21-\x7e]/.test(text)) {
    throw bad(
      input,
      "it contains spaces, control or non-ASCII characters (look-alike host names are refused)",
    );
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return parseUrl(input, text);
  if (text.includes("/") || text.includes("@") || looksLikeHubTag(text)) return parseImage(input, text);
  return parseHostPort(input, text);
}

/** `nginx:1.27` is a Docker Hub image with a tag, not a host with a port. */
function looksLikeHubTag(text: string): boolean {
  if (text.startsWith("[") || ipVersionOf(text) === 6) return false;
  const colon = text.lastIndexOf(":");
  return colon > 0 && !/^\d+$/.test(text.slice(colon + 1)) && !text.slice(0, colon).includes(".");
}

const DOCKER_HUB_NAMESPACE = "docker.io";
const DOCKER_HUB_HOST = "registry-1.docker.io";

function bad(input: string, why: string): InputError {
  return new InputError(`invalid target "${printable(input)}": ${why}`);
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, (c) => `\\u{${c.codePointAt(0)?.toString(16)}}`);
}

function parseUrl(input: string, text: string): Target {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw bad(input, "it is not a valid URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw bad(input, `unsupported scheme "${url.protocol}" (use https://)`);
  }
  if (url.username || url.password) throw bad(input, "credentials in the URL are not accepted");
  const authority = url.port ? `${url.hostname}:${url.port}` : url.hostname;
  const hp = parseHostPort(input, authority);
  if (!url.port && url.protocol === "http:") hp.port = 80;
  return { ...hp, input, kind: "url", path: url.pathname || "/" };
}

function parseImage(input: string, text: string): Target {
  const [namePart, digest] = splitDigest(input, text);
  const slash = namePart.indexOf("/");
  const first = slash < 0 ? namePart : namePart.slice(0, slash);
  const hasRegistry = slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost");
  let registryPart = DOCKER_HUB_NAMESPACE;
  let remainder = namePart;
  if (hasRegistry) {
    registryPart = first;
    remainder = namePart.slice(slash + 1);
  }
  const [repository, tag] = splitTag(input, remainder);
  validateRepository(input, repository);
  if (registryPart === DOCKER_HUB_NAMESPACE || registryPart === "index.docker.io") {
    const repo = repository.includes("/") ? repository : `library/${repository}`;
    return {
      input,
      kind: "image",
      host: DOCKER_HUB_HOST,
      port: 443,
      explicitPort: false,
      registry: DOCKER_HUB_NAMESPACE,
      serverName: DOCKER_HUB_HOST,
      image: { repository: repo, tag: tag ?? (digest ? null : "latest"), digest },
      path: null,
    };
  }
  const hp = parseHostPort(input, registryPart);
  return {
    ...hp,
    input,
    kind: "image",
    image: { repository, tag: tag ?? (digest ? null : "latest"), digest },
  };
}

const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;

function splitDigest(input: string, text: string): [string, string | null] {
  const at = text.indexOf("@");
  if (at < 0) return [text, null];
  const digest = text.slice(at + 1);
  if (!DIGEST.test(digest))
    throw bad(input, `"${digest}" is not a valid digest (expected e.g. sha256:<64 hex>)`);
  if (digest.startsWith("sha256:") && digest.length !== 7 + 64) {
    throw bad(input, "a sha256 digest has exactly 64 hex characters");
  }
  return [text.slice(0, at), digest];
}

const TAG = /^[\w][\w.-]{0,127}$/;

function splitTag(input: string, remainder: string): [string, string | null] {
  const lastSlash = remainder.lastIndexOf("/");
  const colon = remainder.indexOf(":", lastSlash + 1);
  if (colon < 0) return [remainder, null];
  const tag = remainder.slice(colon + 1);
  if (!TAG.test(tag)) throw bad(input, `"${tag}" is not a valid tag`);
  return [remainder.slice(0, colon), tag];
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

function validateRepository(input: string, repository: string): void {
  if (repository === "") throw bad(input, "the image reference has no repository name");
  for (const component of repository.split("/")) {
    if (!PATH_COMPONENT.test(component)) {
      throw bad(
        input,
        `repository component "${component}" must be lower-case letters, digits and separators`,
      );
    }
  }
  if (repository.length > 255) throw bad(input, "the repository name is longer than 255 characters");
}

/** `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 literal. */
function parseHostPort(input: string, text: string): Target {
  let host: string;
  let portText: string | null = null;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0) throw bad(input, "unclosed '[' in IPv6 address");
    host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest !== "" && !rest.startsWith(":")) throw bad(input, `unexpected "${rest}" after the IPv6 address`);
    if (rest.startsWith(":")) portText = rest.slice(1);
    if (ipVersionOf(host) !== 6) throw bad(input, `"${host}" is not an IPv6 address`);
  } else if (ipVersionOf(text) === 6) {
    host = text;
  } else {
    const colon = text.lastIndexOf(":");
    host = colon < 0 ? text : text.slice(0, colon);
    if (colon >= 0) portText = text.slice(colon + 1);
    if (ipVersionOf(host) !== 4) validateHostName(input, host);
  }
  const port = portText === null ? 443 : parsePort(input, portText);
  const ipVersion = ipVersionOf(host);
  const hostForKey = ipVersion === 6 ? `[${host}]` : host.toLowerCase();
  return {
    input,
    kind: "host",
    host: ipVersion ? host : host.toLowerCase(),
    port,
    explicitPort: portText !== null,
    registry: portText === null ? hostForKey : `${hostForKey}:${port}`,
    serverName: ipVersion ? null : host.toLowerCase().replace(/\.$/, ""),
    image: null,
    path: null,
  };
}

function parsePort(input: string, text: string): number {
  if (!/^\d{1,5}$/.test(text)) throw bad(input, `port "${text}" is not a number`);
  const port = Number(text);
  if (port < 1 || port > 65535) throw bad(input, `port ${port} is outside 1-65535`);
  return port;
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** RFC 1123 host names; also what keeps a registry name safe to use as a directory name. */
function validateHostName(input: string, host: string): void {
  const name = host.endsWith(".") ? host.slice(0, -1) : host;
  if (name === "") throw bad(input, "the host name is empty");
  if (name.length > 253) throw bad(input, "the host name is longer than 253 characters");
  for (const label of name.split(".")) {
    if (label.length > 63)
      throw bad(input, `host name label "${label.slice(0, 20)}…" is longer than 63 characters`);
    if (!LABEL.test(label)) throw bad(input, `"${host}" is not a valid host name`);
  }
}

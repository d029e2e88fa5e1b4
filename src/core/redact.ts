/**
 * Masking secrets in configuration text before it is shown (diffs, errors).
 * Registry configuration routinely holds credentials: k3s registries.yaml
 * `configs.<host>.auth.password`, Docker's config.json `auths.<host>.auth`
 * and `identitytoken`, containerd hosts.toml `[host."…".header]
 * Authorization`, CRI-O/podman auth files. The rules are textual so they work
 * on YAML, TOML, JSON and env files alike, and on half-edited files that no
 * longer parse.
 *
 * Usernames are masked too (`auth.username`, `REGISTRY_USER`, the user part
 * of `https://user:pass@`): a registry robot account's name is half of its
 * login, so it is treated as a credential like the password (issue #10).
 */

export type Redactor = (text: string, path: string) => string;

export const MASK = "********";

/** Keys whose values are secret, compared lower-case without `-`/`_`. */
const SECRET_KEYS = new Set([
  "password",
  "passwd",
  "auth",
  "authorization",
  "proxyauthorization",
  "identitytoken",
  "registrytoken",
  "token",
  "secret",
  "clientsecret",
  "apikey",
  "privatekey",
  "credentials",
  "login",
]);
/** `REGISTRY_PASSWORD`, `docker_username`, `REGISTRY_USER`, `clientToken`, … */
const SECRET_SUFFIXES = ["password", "passwd", "token", "secret", "apikey", "username", "user"];

export function isSecretKey(key: string): boolean {
  const normalised = key.toLowerCase().replace(/[-_]/g, "");
  return SECRET_KEYS.has(normalised) || SECRET_SUFFIXES.some((s) => normalised.endsWith(s));
}

const KEY = "[A-Za-z0-9_.-]+";
/** `"key": "value"`, `key = 'value'`, `key: "value"` anywhere in a line (JSON, inline tables, flow YAML). */
const QUOTED_PAIR = new RegExp(
  String.raw`(["']?)(${KEY})\1([ \t]*[:=][ \t]*)("(?:[^"\\\n]|\\.)*"|'[^'\n]*')`,
  "g",
);
/** `key = [ … ]` on one line (hosts.toml `Authorization = ["Basic …"]`). */
const ARRAY_PAIR = new RegExp(String.raw`(["']?)(${KEY})\1([ \t]*[:=][ \t]*)\[[^\]\n]*\]`, "g");
/** `key: value` / `KEY=value` with an unquoted scalar, keeping a trailing comment. */
const PLAIN_PAIR = new RegExp(
  String.raw`^([ \t]*(?:-[ \t]+)?)(${KEY})([ \t]*[:=][ \t]*)([^\s"'{\[|>#][^\n]*?)([ \t]+#[^\n]*)?$`,
  "gm",
);
/** YAML block scalar header: `key: |` / `key: >-`. */
const BLOCK_SCALAR = new RegExp(
  String.raw`^([ \t]*(?:-[ \t]+)?)(["']?)(${KEY})\2[ \t]*:[ \t]*[|>][-+0-9]*[ \t]*(#.*)?$`,
);
const PRIVATE_KEY_BLOCK = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g;
/** `https://user:secret@host`, `https://token@host`: the whole userinfo. */
const URL_USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/)([^/\s@]+)@/gi;

/** The default redactor: every rule above. `path` is unused but lets a caller plug in per-file rules. */
export function redactSecrets(text: string, _path = ""): string {
  let out = text.replace(
    PRIVATE_KEY_BLOCK,
    (_m, kind: string) => `-----BEGIN ${kind}PRIVATE KEY-----\n${MASK}\n-----END ${kind}PRIVATE KEY-----`,
  );
  out = out.replace(URL_USERINFO, maskUserinfo);
  out = out.replace(QUOTED_PAIR, (m, q: string, key: string, sep: string, value: string) =>
    isSecretKey(key) ? `${q}${key}${q}${sep}${value[0]}${MASK}${value[0]}` : m,
  );
  out = out.replace(ARRAY_PAIR, (m, q: string, key: string, sep: string) =>
    isSecretKey(key) ? `${q}${key}${q}${sep}["${MASK}"]` : m,
  );
  out = out.replace(
    PLAIN_PAIR,
    (m, lead: string, key: string, sep: string, _value: string, comment?: string) =>
      isSecretKey(key) ? `${lead}${key}${sep}${MASK}${comment ?? ""}` : m,
  );
  return maskBlockScalars(out);
}

function maskUserinfo(_m: string, scheme: string, userinfo: string): string {
  return `${scheme}${userinfo.includes(":") ? `${MASK}:${MASK}` : MASK}@`;
}

/** Masks the indented lines under `password: |` and the like. */
function maskBlockScalars(text: string): string {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const header = BLOCK_SCALAR.exec(lines[i]!);
    if (!header || !isSecretKey(header[3]!)) continue;
    const indent = indentOf(lines[i]!);
    for (let j = i + 1; j < lines.length; j++) {
      const line = lines[j]!;
      if (line.trim() !== "" && indentOf(line) <= indent) break;
      if (line.trim() !== "") lines[j] = `${" ".repeat(indentOf(line))}${MASK}`;
    }
  }
  return lines.join("\n");
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/**
 * `?account=robot&…`, `token=abc` inside a sentence. `account` is the
 * username in the Docker token protocol's realm URL
 * (distribution/registry/client/auth/session.go), which dockerd prints in its
 * pull errors.
 */
const INLINE_PAIR = new RegExp(String.raw`(^|[?&;,(\s])(${KEY})=([^\s&"'),;]+)`, "g");
/**
 * `Authorization: Bearer <token>` / `Basic <base64>` quoted in an error. A
 * lower-case word after the scheme is prose ("requires Basic authentication"),
 * not a credential: base64 and JWTs mix cases, digits or punctuation.
 */
const AUTH_SCHEME = /\b(Bearer|Basic)\s+(?![a-z]+\b)[A-Za-z0-9._~+/=-]{8,}/g;

/**
 * Masking secrets in free text a runtime or the cluster wrote (kubelet events,
 * CRI pull errors), which regtrust repeats: URL userinfo, `key=value` pairs
 * with a secret key anywhere in the text, `Bearer`/`Basic` credentials,
 * private key blocks. `key: value` is left alone in prose ("failed to fetch
 * anonymous token: unexpected status" is no secret).
 */
export function redactMessage(text: string): string {
  return text
    .replace(
      PRIVATE_KEY_BLOCK,
      (_m, kind: string) => `-----BEGIN ${kind}PRIVATE KEY-----\n${MASK}\n-----END ${kind}PRIVATE KEY-----`,
    )
    .replace(URL_USERINFO, maskUserinfo)
    .replace(INLINE_PAIR, (m, lead: string, key: string) =>
      isSecretKey(key) || key.toLowerCase() === "account" ? `${lead}${key}=${MASK}` : m,
    )
    .replace(AUTH_SCHEME, (_m, scheme: string) => `${scheme} ${MASK}`);
}

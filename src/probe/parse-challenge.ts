/**
 * WWW-Authenticate parsing (RFC 7235 §2.1, §4.1; quoted-string per RFC 7230 §3.2.6):
 *
 *   WWW-Authenticate = 1#challenge
 *   challenge        = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 *   auth-param       = token BWS "=" BWS ( token / quoted-string )
 *
 * A field may carry several challenges, and commas separate both challenges
 * and parameters, so a comma is followed by either another `name=` or a new
 * scheme. Lenient like the clients that read it: a malformed tail is
 * skipped, never thrown.
 */
export interface AuthChallenge {
  /** As sent; compare case-insensitively. */
  scheme: string;
  /** Parameter names lower-cased (they are case-insensitive); the first occurrence wins. */
  params: Record<string, string>;
  token68: string | null;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_CHAR = /[-._~+/0-9A-Za-z]/;

export function parseChallenges(fields: string | readonly string[]): AuthChallenge[] {
  const list = typeof fields === "string" ? [fields] : fields;
  return list.flatMap((field) => new ChallengeReader(field).readAll());
}

/** The challenge a registry client acts on: Bearer first (token auth), then Basic, then whatever came first. */
export function preferredChallenge(challenges: readonly AuthChallenge[]): AuthChallenge | null {
  const byScheme = (name: string) => challenges.find((c) => c.scheme.toLowerCase() === name);
  return byScheme("bearer") ?? byScheme("basic") ?? challenges[0] ?? null;
}

class ChallengeReader {
  #pos = 0;

  constructor(private readonly text: string) {}

  readAll(): AuthChallenge[] {
    const challenges: AuthChallenge[] = [];
    for (;;) {
      this.#skip(/[\s,]/);
      if (this.#pos >= this.text.length) return challenges;
      const scheme = this.#token();
      if (scheme === "") {
        this.#pos += 1; // not a token character: skip it and resynchronise
        continue;
      }
      challenges.push(this.#challengeBody(scheme));
    }
  }

  #challengeBody(scheme: string): AuthChallenge {
    const challenge: AuthChallenge = { scheme, params: {}, token68: null };
    this.#skip(/[ \t]/);
    if (!this.#paramAhead()) {
      challenge.token68 = this.#token68();
      return challenge;
    }
    while (this.#paramAhead()) {
      const name = this.#token().toLowerCase();
      this.#skip(/[ \t]/);
      this.#pos += 1; // "="
      this.#skip(/[ \t]/);
      const value = this.text[this.#pos] === '"' ? this.#quoted() : this.#token();
      if (!(name in challenge.params)) challenge.params[name] = value;
      this.#skip(/[ \t]/);
      if (this.text[this.#pos] !== ",") break;
      const afterComma = this.#pos;
      this.#skip(/[\s,]/);
      if (!this.#paramAhead()) {
        this.#pos = afterComma; // the next item is a new challenge
        break;
      }
    }
    return challenge;
  }

  /** token BWS "=" and not the "==" padding of a token68. */
  #paramAhead(): boolean {
    const start = this.#pos;
    const name = this.#token();
    this.#skip(/[ \t]/);
    const isParam = name !== "" && this.text[this.#pos] === "=" && this.text[this.#pos + 1] !== "=";
    this.#pos = start;
    return isParam;
  }

  #token68(): string | null {
    const start = this.#pos;
    this.#skip(TOKEN68_CHAR);
    this.#skip(/=/);
    return this.#pos > start ? this.text.slice(start, this.#pos) : null;
  }

  #token(): string {
    const start = this.#pos;
    this.#skip(TCHAR);
    return this.text.slice(start, this.#pos);
  }

  /** quoted-string with quoted-pair escapes; an unterminated string runs to the end of the field. */
  #quoted(): string {
    let value = "";
    this.#pos += 1;
    while (this.#pos < this.text.length) {
      const c = this.text[this.#pos];
      this.#pos += 1;
      if (c === '"') return value;
      if (c === "\\" && this.#pos < this.text.length) {
        value += this.text[this.#pos];
        this.#pos += 1;
      } else {
        value += c;
      }
    }
    return value;
  }

  #skip(chars: RegExp): void {
    while (this.#pos < this.text.length && chars.test(this.text[this.#pos] ?? "")) this.#pos += 1;
  }
}

/**
 * htpasswd lines for docker-registry's basic auth. distribution 2.8 accepts
 * only bcrypt entries (registry/auth/htpasswd/htpasswd.go compares with
 * golang.org/x/crypto/bcrypt, which takes any `$2?$` minor version). Node has
 * no bcrypt and `openssl passwd` cannot make one, so we use the system crypt(3)
 * through perl: Debian's libcrypt (libxcrypt) implements `$2b$`. perl-base is
 * Essential on Debian, so this adds no package.
 */
import { randomBytes } from "node:crypto";
import { runCommand } from "./processes.ts";

/** bcrypt's own base64 alphabet (not RFC 4648). */
const BCRYPT_ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** The 22nd salt character carries only 2 significant bits, so only these four are canonical. */
const BCRYPT_LAST_SALT_CHARS = ".Oeu";

function bcryptSalt(): string {
  const bytes = randomBytes(22);
  const head = Array.from(bytes.subarray(0, 21), (b) => BCRYPT_ALPHABET[b % 64]).join("");
  return head + BCRYPT_LAST_SALT_CHARS[bytes[21]! % 4];
}

/**
 * Returns `user:$2b$05$…`. Cost 5 keeps tests fast (Go's bcrypt minimum is 4).
 * The password goes through stdin, never argv.
 */
export async function htpasswdLine(user: string, password: string): Promise<string> {
  if (user.includes(":") || user.includes("\n"))
    throw new Error(`htpasswd: invalid user name ${JSON.stringify(user)}`);
  const setting = `$2b$05$${bcryptSalt()}`;
  const script =
    'my $pw = do { local $/; <STDIN> }; my $h = crypt($pw, $ARGV[0]); print defined $h ? $h : "";';
  const result = await runCommand(["perl", "-e", script, setting], { timeoutMs: 10_000, input: password });
  const hash = result.stdout.trim();
  if (result.code !== 0 || !hash.startsWith("$2b$05$") || hash.length !== 60) {
    throw new Error(
      `htpasswd: crypt(3) produced no bcrypt hash (exit ${result.code}): ${result.stderr.trim()}`,
    );
  }
  return `${user}:${hash}`;
}

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** PEM material the config trees point at: distinct CAs (named by CN) and client pairs. */
export interface OraclePki {
  /** CA certificates; `cas[i]` has CN `oracle-ca-<i>`. */
  cas: string[];
  clientCert: string;
  clientKey: string;
  /** A key that does not match clientCert. */
  otherKey: string;
}

const CA_COUNT = 12;

export function makeOraclePki(dir: string): OraclePki {
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const ecKey = (file: string) =>
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", file);
  const cas: string[] = [];
  for (let i = 0; i < CA_COUNT; i++) {
    ecKey(`ca${i}.key`);
    openssl(
      "req",
      "-x509",
      "-new",
      "-key",
      `ca${i}.key`,
      "-subj",
      `/CN=oracle-ca-${i}`,
      "-days",
      "3650",
      "-out",
      `ca${i}.pem`,
    );
    cas.push(readFileSync(join(dir, `ca${i}.pem`), "utf8"));
  }
  ecKey("client.key");
  ecKey("other.key");
  openssl(
    "req",
    "-x509",
    "-new",
    "-key",
    "client.key",
    "-subj",
    "/CN=oracle-client",
    "-days",
    "3650",
    "-out",
    "client.pem",
  );
  return {
    cas,
    clientCert: readFileSync(join(dir, "client.pem"), "utf8"),
    clientKey: readFileSync(join(dir, "client.key"), "utf8"),
    otherKey: readFileSync(join(dir, "other.key"), "utf8"),
  };
}

import { posix } from "node:path";
import { type Finding, finding } from "../../findings/finding.ts";
import { caFileFindings } from "../ca-findings.ts";
import { clientPairError } from "../containerd/client-pair.ts";
import { type HostFs, HostFsError } from "../host-fs.ts";
import { isMissing, readTrustSource } from "../trust-source.ts";
import type { TrustSource } from "../types.ts";

/** What a Docker-layout certs.d/<host> directory gives the runtime. */
export interface CertsDirRead {
  dir: string;
  /** `*.crt` files in directory order; each is appended to the system roots. */
  caFiles: TrustSource[];
  /** Client certificate/key pairing problems: the runtime rejects the directory, so every pull fails. */
  fatal: { file: string; error: string }[];
  /** Files with a CA-like extension the runtime never loads (.pem, .cer, .der, .ca). */
  ignored: string[];
  /** `*.cert` files with their same-stem `*.key`: client certificate pairs. */
  clientPairs: { cert: string; key: string }[];
}

const IGNORED_CA_LIKE = [".pem", ".cer", ".der", ".ca"];

/**
 * Docker's certificate directory rules, shared by dockerd
 * (daemon/pkg/registry/registry.go `loadTLSConfig`) and containers/image
 * (pkg/tlsclientconfig `SetupCertificates`): `.crt` = CA, `.cert` needs a
 * same-stem `.key` and vice versa, anything else is ignored. Null when the
 * directory does not exist.
 */
export function readCertsDir(
  fs: HostFs,
  dir: string,
  rules: { missingKeyHint: string; skipVanishedCrt: boolean },
): CertsDirRead | null {
  let names: string[] | null;
  try {
    names = fs.readDir(dir);
  } catch (error) {
    if (!(error instanceof HostFsError)) throw error;
    return { dir, caFiles: [], fatal: [{ file: dir, error: error.message }], ignored: [], clientPairs: [] };
  }
  if (names === null) return null;
  const read: CertsDirRead = { dir, caFiles: [], fatal: [], ignored: [], clientPairs: [] };
  for (const name of names) {
    const path = `${dir}/${name}`;
    const ext = posix.extname(name);
    if (ext === ".crt") {
      // containers/image skips a .crt that vanished after listing (a dangling symlink looks the same).
      const source = readTrustSource(fs, path, "certs.d *.crt");
      if (!(rules.skipVanishedCrt && isMissing(source))) read.caFiles.push(source);
    } else if (ext === ".cert" && !names.includes(`${name.slice(0, -5)}.key`)) {
      const error = `missing key ${name.slice(0, -5)}.key for client certificate ${name}. ${rules.missingKeyHint}`;
      read.fatal.push({ file: path, error });
    } else if (ext === ".cert") {
      // Both runtimes load the pair with Go's tls.LoadX509KeyPair; a bad pair fails every pull.
      const problem = clientPairError(fs, path, `${dir}/${name.slice(0, -5)}.key`);
      if (problem) read.fatal.push({ file: path, error: problem });
      read.clientPairs.push({ cert: path, key: `${dir}/${name.slice(0, -5)}.key` });
    } else if (ext === ".key" && !names.includes(`${name.slice(0, -4)}.cert`)) {
      read.fatal.push({
        file: path,
        error: `missing client certificate ${name.slice(0, -4)}.cert for key ${name}`,
      });
    } else if (IGNORED_CA_LIKE.includes(ext)) {
      read.ignored.push(path);
    }
  }
  return read;
}

/** Findings for a certs.d directory: fatal problems and CA files under a name the runtime skips. */
export function certsDirFindings(
  read: CertsDirRead,
  runtime: string,
  registry: string,
  restartHint: string,
): Finding[] {
  const fatal = read.fatal.map((f) =>
    finding(
      "config-invalid",
      "error",
      `${runtime} rejects ${read.dir} and every pull from ${registry} fails: ${f.error}.`,
      {
        file: f.file,
        evidence: [f.error],
        fix: fixFor(f.file, restartHint),
      },
    ),
  );
  const unreadable = caFileFindings(read.caFiles, {
    runtime,
    registry,
    consequence: `rejects ${read.dir} and fails every pull from ${registry}`,
  });
  const ignored = read.ignored.map((path) =>
    finding(
      "ca-file-unusable",
      "warning",
      `${runtime} never loads ${path}: only files ending in .crt are read as CA certificates in ${read.dir}.`,
      {
        file: path,
        fix: [
          `mv ${path} ${path.replace(/\.[^./]+$/, ".crt")}   # if it is the registry's CA (PEM); ${restartHint}`,
        ],
      },
    ),
  );
  return [...fatal, ...unreadable, ...ignored];
}

function fixFor(file: string, restartHint: string): string[] {
  if (file.endsWith(".cert")) {
    return [
      `mv ${file} ${file.replace(/\.cert$/, ".crt")}   # if it is a CA certificate; or add the client key beside it; ${restartHint}`,
    ];
  }
  if (file.endsWith(".key"))
    return [
      `Add the client certificate ${file.replace(/\.key$/, ".cert")}, or remove the stray key; ${restartHint}`,
    ];
  return [`Make ${file} a readable PEM file (chmod 0644), or remove it; ${restartHint}`];
}

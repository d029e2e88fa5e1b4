/**
 * skopeo (containers/image) as a second real Go client. Its stderr carries
 * the genuine Go TLS error text we compare our own verdicts with. Every run is
 * isolated from the host's containers configuration: a temp $HOME and
 * $XDG_RUNTIME_DIR (auth.json, certs.d under ~/.config), an explicit
 * registries.conf, an empty registries.d and, for copies, an accept-all policy.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type CommandResult, runCommand } from "./processes.ts";
import { makeTempDir, removeTempDir } from "./tmp.ts";

export const SKOPEO_BINARY = "/usr/bin/skopeo";

export interface SkopeoSandbox {
  /** Global flags that must precede the sub-command. */
  globalArgs: string[];
  policyFile: string;
  authFile: string;
  run(argv: readonly string[], timeoutMs: number, extraEnv?: NodeJS.ProcessEnv): Promise<CommandResult>;
}

/** Prepares config files under `dir` (which the caller owns and removes). */
export async function skopeoIsolation(
  dir: string,
  credentials?: { registry?: string; user: string; password: string },
): Promise<SkopeoSandbox> {
  const home = join(dir, "home");
  const runtimeDir = join(dir, "run");
  const tmp = join(dir, "tmp");
  const registriesD = join(dir, "registries.d");
  await Promise.all(
    [home, runtimeDir, tmp, registriesD].map((d) => mkdir(d, { recursive: true, mode: 0o700 })),
  );
  const registriesConf = join(dir, "registries.conf");
  await writeFile(registriesConf, "unqualified-search-registries = []\n");
  const policyFile = join(dir, "policy.json");
  await writeFile(policyFile, JSON.stringify({ default: [{ type: "insecureAcceptAnything" }] }));
  const authFile = join(dir, "auth.json");
  await writeFile(authFile, JSON.stringify(authFileContent(credentials)), { mode: 0o600 });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin",
    HOME: home,
    XDG_RUNTIME_DIR: runtimeDir,
    XDG_CONFIG_HOME: join(home, ".config"),
    TMPDIR: tmp,
    CONTAINERS_REGISTRIES_CONF: registriesConf,
  };
  return {
    globalArgs: [
      SKOPEO_BINARY,
      "--registries-conf",
      registriesConf,
      "--registries.d",
      registriesD,
      "--tmpdir",
      tmp,
    ],
    policyFile,
    authFile,
    run: (argv, timeoutMs, extraEnv) => runCommand(argv, { timeoutMs, env: { ...env, ...extraEnv } }),
  };
}

function authFileContent(credentials?: { registry?: string; user: string; password: string }): object {
  if (!credentials?.registry) return { auths: {} };
  const auth = Buffer.from(`${credentials.user}:${credentials.password}`).toString("base64");
  return { auths: { [credentials.registry]: { auth } } };
}

export interface SkopeoInspectOptions {
  /** Directory of `*.crt` CA files; replaces the certs.d search (containers-certs.d(5)). */
  certDir?: string;
  /** Default true; false skips verification and allows plain HTTP. */
  tlsVerify?: boolean;
  timeoutMs?: number;
  /** Extra environment, e.g. SSL_CERT_FILE to change Go's system roots. */
  env?: NodeJS.ProcessEnv;
  credentials?: { user: string; password: string };
}

/** Runs `skopeo inspect --raw docker://<ref>`; `ref` may carry the docker:// prefix already. */
export async function skopeoInspect(
  ref: string,
  opts: SkopeoInspectOptions = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const imageRef = ref.startsWith("docker://") ? ref : `docker://${ref}`;
  const registry = imageRef.slice("docker://".length).split("/")[0];
  const dir = await makeTempDir("skopeo");
  try {
    const skopeo = await skopeoIsolation(dir, opts.credentials && { registry, ...opts.credentials });
    const argv = [...skopeo.globalArgs, "inspect", "--raw", "--retry-times", "0"];
    argv.push(`--tls-verify=${opts.tlsVerify ?? true}`, "--authfile", skopeo.authFile);
    if (opts.certDir) argv.push("--cert-dir", opts.certDir);
    argv.push(imageRef);
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const result = await skopeo.run(argv, timeoutMs, opts.env);
    const stderr = result.timedOut
      ? `${result.stderr}\n[harness] skopeo killed after ${timeoutMs} ms`
      : result.stderr;
    return { code: result.code, stdout: result.stdout, stderr };
  } finally {
    await removeTempDir(dir);
  }
}

import { posix } from "node:path";
import { certsDirFindings, readCertsDir } from "../node/docker/certs-dir.ts";
import { HostFsError } from "../node/host-fs.ts";
import { auditCaFile } from "./ca-files.ts";
import { auditClientPair } from "./client-keys.ts";
import type { AuditContext } from "./context.ts";
import { checkPortInDirName, registryFromDirName } from "./host-dir-name.ts";

/**
 * Every `<root>/<host[:port]>/` of a Docker-layout certs.d (dockerd,
 * containers/image): pairing errors, CA-like files the runtime ignores
 * (.pem, .cer), CA file content, client pairs, and :443 directory names.
 */
export function auditCertsDirRoot(
  ctx: AuditContext,
  root: string,
  runtime: string,
  restartHint: string,
): void {
  for (const name of listDirs(ctx, root)) {
    const dir = `${root}/${name}`;
    const registry = registryFromDirName(name);
    ctx.registries.add(registry);
    checkPortInDirName(ctx, dir, registry, runtime);
    const read = readCertsDir(ctx.fs, dir, {
      missingKeyHint: "CA certificates must use the extension .crt",
      skipVanishedCrt: runtime !== "docker",
    });
    if (read === null) continue;
    const found = certsDirFindings(read, runtime, registry, restartHint).map((f) => ({
      ...f,
      contexts: [runtime],
    }));
    // Missing/unreadable .crt files are reported by auditCaFile below; keep the rest.
    ctx.findings.push(
      ...found.filter(
        (f) =>
          f.code !== "ca-file-missing" &&
          !(f.code === "ca-file-unusable" && posix.extname(f.file ?? "") === ".crt"),
      ),
    );
    for (const source of read.caFiles) {
      auditCaFile(ctx, { path: source.path, declaredIn: null, runtime, registry, origin: "certs.d *.crt" });
    }
    for (const cert of certFiles(ctx, dir)) {
      auditClientPair(ctx, {
        cert,
        key: cert.replace(/\.cert$/, ".key"),
        declaredIn: { file: cert, line: null },
        runtime,
        registry,
      });
    }
  }
}

function listDirs(ctx: AuditContext, root: string): string[] {
  try {
    return (ctx.fs.readDir(root) ?? []).filter((n) => ctx.fs.stat(`${root}/${n}`)?.kind === "dir");
  } catch (error) {
    if (!(error instanceof HostFsError)) throw error;
    return [];
  }
}

function certFiles(ctx: AuditContext, dir: string): string[] {
  try {
    const names = ctx.fs.readDir(dir) ?? [];
    return names
      .filter((n) => n.endsWith(".cert") && names.includes(`${n.slice(0, -5)}.key`))
      .map((n) => `${dir}/${n}`);
  } catch {
    return [];
  }
}

/**
 * containerd of another CPU architecture on this machine: Debian 12's arm64
 * containerd (1.6.20~ds1-1+deb12u3, the package the amd64 host runs) under
 * `qemu-aarch64-static -L <arm64 sysroot>` (Debian 12's qemu-user-static 7.2,
 * user mode; no binfmt_misc registration, qemu is named on the argv).
 *
 * Why emulate rather than configure: a CRI PullImage passes no platform, so
 * pull.go selects the manifest of an index with the client's default matcher,
 * which the CRI plugin sets to `platforms.Default()` = `Only(DefaultSpec())`
 * (pkg/cri/cri.go WithDefaultPlatform via pkg/cri/platforms on Linux), and
 * DefaultSpec() is runtime.GOOS/GOARCH of the containerd binary itself
 * (containerd 1.6.20 platforms/defaults_unix.go). No config key changes it
 * (nor in 2.1: runtime_platforms only picks a snapshotter), so only an arm64
 * build of containerd's own code selects linux/arm64.
 *
 * qemu 7.2 user mode passes the host's /proc/cpuinfo through, so containerd
 * logs `failure getting variant ... Cpu architecture: not found` and runs with
 * variant "" (platforms/cpuinfo.go getCPUVariant); Normalize() maps arm64 "v8"
 * to "" as well (platforms/database.go), so an index entry linux/arm64/v8 still
 * matches. qemu -L looks every absolute path up in the sysroot first (qemu
 * 7.2 util/path.c); the sysroot holds only usr/, lib/ and etc/ld.so.conf.d
 * (containerd-arm64.sh drops the package's /etc/containerd), so the config,
 * certs.d, /etc/hosts and /etc/ssl the emulated containerd reads are the
 * host's. The harness config uses the `native` snapshotter, so the pull needs
 * no mount (and no shim or runc: nothing is run).
 */
import { access } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCommand } from "./processes.ts";

export type ContainerdPlatform = "linux/amd64" | "linux/arm64";

export const QEMU_AARCH64 = "/usr/bin/qemu-aarch64-static";

const FETCH_SCRIPT = fileURLToPath(new URL("../../scripts/oracle/containerd-arm64.sh", import.meta.url));

/** Bound for a cold fetch (apt index + two .debs, about 30 MB); a warm cache answers at once. */
const FETCH_TIMEOUT_MS = 120_000;

/** This machine's platform in OCI terms (Node's process.arch → GOARCH). */
export function hostPlatform(): ContainerdPlatform | string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  return `linux/${arch}`;
}

/** True when `platform` needs emulation here (only linux/arm64 on an amd64 host is supported). */
export function isForeignPlatform(platform: string | undefined): boolean {
  return platform !== undefined && platform !== hostPlatform();
}

let sysrootPromise: Promise<string> | undefined;

/**
 * The arm64 sysroot holding usr/bin/containerd, from the oracle cache
 * (bootstrap.sh --system warms it via scripts/oracle/build-all.sh). A cold
 * cache is filled by the same script, bounded; a failure says what to run.
 */
export function arm64ContainerdSysroot(): Promise<string> {
  sysrootPromise ??= fetchSysroot().catch((err: unknown) => {
    sysrootPromise = undefined;
    throw err;
  });
  return sysrootPromise;
}

async function fetchSysroot(): Promise<string> {
  const result = await runCommand(["sh", FETCH_SCRIPT], { timeoutMs: FETCH_TIMEOUT_MS });
  const root = result.stdout.trim();
  if (result.code !== 0 || root === "") {
    const why = result.timedOut ? `timed out after ${FETCH_TIMEOUT_MS} ms` : `exit ${result.code}`;
    throw new Error(
      `cannot fetch Debian's arm64 containerd (${why}); run \`sh scripts/oracle/containerd-arm64.sh\` ` +
        `(bootstrap.sh --system does) and check Debian apt access: ${result.stderr.trim()}`,
    );
  }
  return root;
}

/** The argv that runs containerd for `platform` with `args` (native binary, or arm64 under qemu). */
export async function containerdArgv(
  nativeBinary: string,
  platform: string | undefined,
  args: readonly string[],
): Promise<string[]> {
  if (!isForeignPlatform(platform)) return [nativeBinary, ...args];
  if (platform !== "linux/arm64" || hostPlatform() !== "linux/amd64") {
    throw new Error(`startContainerd: platform ${platform} is not supported on ${hostPlatform()}`);
  }
  try {
    await access(QEMU_AARCH64);
  } catch {
    throw new Error(`${QEMU_AARCH64} is missing: install Debian's qemu-user-static (bootstrap.sh --system)`);
  }
  const root = await arm64ContainerdSysroot();
  return [QEMU_AARCH64, "-L", root, join(root, "usr", "bin", "containerd"), ...args];
}

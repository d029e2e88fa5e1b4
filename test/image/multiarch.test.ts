/**
 * The multi-arch image as users get it: `npm run image -- --arch all` builds
 * (or reuses) the amd64 archive (mmdebstrap root mode) and the arm64 one
 * (chrootless mode, no emulation) and the index archive (scripts/image/index.ts);
 * `skopeo copy --all` pushes the index and both images over TLS to the Debian
 * docker-registry as repo.example.com (private CA); skopeo then resolves the
 * index per platform as a node's runtime does; the arm64 image, copied back
 * out of the registry for arm64 and unpacked with umoci, runs its own
 * entrypoint under qemu-aarch64-static (Debian's qemu-user-static, user
 * mode, no binfmt_misc).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type BuiltImage, buildImage } from "../../scripts/image/build.ts";
import { type BuiltIndex, buildImageIndex, INDEX_MEDIA_TYPE } from "../../scripts/image/index.ts";
import { writeCertDir } from "../support/certs-d.ts";
import { type PrivateRegistry, startPrivateCaRegistry } from "../support/private-registry.ts";
import { runCommand } from "../support/processes.ts";
import { type SkopeoSandbox, skopeoIsolation } from "../support/skopeo.ts";
import { TempDirs } from "../support/tmp.ts";

const dirs = new TempDirs();
const images = new Map<string, BuiltImage>();
let index: BuiltIndex;
let registry: PrivateRegistry;
let skopeo: SkopeoSandbox;
let certDir = "";
let imageRef = "";

before(
  async () => {
    const log = (line: string) => process.stderr.write(`${line}\n`);
    for (const arch of ["amd64", "arm64"]) images.set(arch, await buildImage({ arch, log }));
    const out = join(await dirs.make("multiarch-index"), "index.oci.tar");
    index = await buildImageIndex([...images.values()], out);
    registry = await startPrivateCaRegistry(dirs);
    imageRef = `${registry.target}/regtrust/regtrust:${index.tag}`;
    const dir = await dirs.make("multiarch-skopeo");
    skopeo = await skopeoIsolation(dir);
    certDir = await writeCertDir(join(dir, "certs"), registry.caPem);
    const push = await skopeo.run(
      [
        ...skopeo.globalArgs,
        "copy",
        "--all",
        "--policy",
        skopeo.policyFile,
        "--dest-cert-dir",
        certDir,
        `oci-archive:${index.archive}:${index.tag}`,
        `docker://${imageRef}`,
      ],
      5 * 60_000,
    );
    assert.equal(push.code, 0, `skopeo copy --all to ${imageRef}: ${push.stderr}`);
  },
  { timeout: 20 * 60_000 },
);

after(async () => {
  await registry?.registry.stop();
  await dirs.cleanup();
});

async function inspect(args: string[]) {
  const argv = [...skopeo.globalArgs, "inspect", "--retry-times", "0", "--cert-dir", certDir, ...args];
  const run = await skopeo.run([...argv, `docker://${imageRef}`], 60_000);
  assert.equal(run.code, 0, `skopeo inspect ${args.join(" ")}: ${run.stderr}`);
  return run.stdout;
}

interface IndexJson {
  mediaType: string;
  manifests: {
    mediaType: string;
    digest: string;
    platform: { os: string; architecture: string; variant?: string };
  }[];
}

describe("the multi-arch image: one index, an amd64 and an arm64 image", () => {
  test("the registry serves the index: both platforms, each naming the per-arch archive's manifest", async () => {
    const raw = await inspect(["--raw"]);
    assert.equal(`sha256:${createHash("sha256").update(raw).digest("hex")}`, index.indexDigest);
    const served = JSON.parse(raw) as IndexJson;
    assert.equal(served.mediaType, INDEX_MEDIA_TYPE);
    assert.deepEqual(
      served.manifests.map((m) => ({ digest: m.digest, platform: m.platform })),
      [
        { digest: images.get("amd64")!.manifestDigest, platform: { os: "linux", architecture: "amd64" } },
        {
          digest: images.get("arm64")!.manifestDigest,
          platform: { os: "linux", architecture: "arm64", variant: "v8" },
        },
      ],
    );
    assert.deepEqual(
      index.manifests.map((m) => [m.arch, m.digest]),
      served.manifests.map((m) => [m.platform.architecture, m.digest]),
    );
  });

  for (const arch of ["amd64", "arm64"]) {
    test(`a ${arch} node resolves the index to the ${arch} image (skopeo --override-arch ${arch})`, async () => {
      const config = JSON.parse(
        await inspect(["--override-os", "linux", "--override-arch", arch, "--config", "--raw"]),
      ) as { architecture: string; os: string; config: { Entrypoint: string[] } };
      assert.equal(config.architecture, arch);
      assert.equal(config.os, "linux");
      const recipe = JSON.parse(await readFile("scripts/image/recipe.json", "utf8"));
      assert.deepEqual(config.config.Entrypoint, recipe.config.entrypoint);
      const summary = JSON.parse(await inspect(["--override-os", "linux", "--override-arch", arch])) as {
        Architecture: string;
      };
      assert.equal(summary.Architecture, arch);
    });
  }

  test("the index archive is deterministic: built again from the same images, the same bytes", async () => {
    const again = await buildImageIndex(
      [...images.values()].reverse(),
      join(await dirs.make("multiarch-again"), "again.oci.tar"),
    );
    assert.equal(again.indexDigest, index.indexDigest);
    assert.equal(await sha256File(again.archive), await sha256File(index.archive));
  });

  describe("the arm64 image, pulled back for arm64 and unpacked", () => {
    let rootfs = "";
    let entrypoint: string[] = [];

    before(
      async () => {
        const dir = await dirs.make("multiarch-arm64");
        const copy = await skopeo.run(
          [
            ...skopeo.globalArgs,
            "--override-os",
            "linux",
            "--override-arch",
            "arm64",
            "copy",
            "--policy",
            skopeo.policyFile,
            "--src-cert-dir",
            certDir,
            `docker://${imageRef}`,
            `oci:${join(dir, "layout")}:arm64`,
          ],
          5 * 60_000,
        );
        assert.equal(copy.code, 0, `skopeo copy --override-arch arm64: ${copy.stderr}`);
        const unpack = await runCommand(
          ["umoci", "unpack", "--image", `${join(dir, "layout")}:arm64`, join(dir, "bundle")],
          { timeoutMs: 5 * 60_000 },
        );
        assert.equal(unpack.code, 0, `umoci unpack: ${unpack.stderr}`);
        rootfs = join(dir, "bundle", "rootfs");
        const runtimeSpec = JSON.parse(await readFile(join(dir, "bundle", "config.json"), "utf8")) as {
          process: { args: string[] };
        };
        entrypoint = runtimeSpec.process.args.slice(0, 2);
      },
      { timeout: 10 * 60_000 },
    );

    test("its own entrypoint runs under qemu-aarch64-static: --version prints package.json's version", async () => {
      const [node, script] = entrypoint;
      assert.deepEqual(entrypoint, ["/usr/local/bin/node", "/app/dist/regtrust.mjs"]);
      const file = await readFile(join(rootfs, node!));
      assert.equal(file.readUInt16LE(18), 183, "the image's node is an ELF for EM_AARCH64 (183)");
      const run = await runCommand(
        ["qemu-aarch64-static", "-L", rootfs, join(rootfs, node!), join(rootfs, script!), "--version"],
        { timeoutMs: 120_000 },
      );
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout.trim(), images.get("arm64")!.version);
    });

    test("its chrootless base has the root-mode shape: no changelogs or manual pages, copyright files kept", async () => {
      // dpkg keeps directories and symlinks an include pattern's prefix covers (base-files' FAQ -> README, as in
      // root mode); of the regular files only the copyright files stay.
      const docs = join(rootfs, "usr/share/doc");
      const entries = await readdir(docs, { recursive: true, withFileTypes: true });
      const files = entries
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name).slice(docs.length + 1));
      assert.deepEqual(
        files.filter((f) => !/^[^/]+\/copyright$/.test(f)),
        [],
        "usr/share/doc holds copyright files only",
      );
      for (const name of ["coreutils", "gcc-12-base", "dpkg", "bash"]) {
        assert.ok(files.includes(`${name}/copyright`), `usr/share/doc/${name}/copyright`);
      }
      for (const gone of ["usr/share/man", "usr/share/locale", "usr/share/info", "usr/share/lintian"]) {
        const left = existsSync(join(rootfs, gone)) ? await readdir(join(rootfs, gone)) : [];
        assert.deepEqual(left, [], gone);
      }
      for (const leftover of ["var/cache/apt", "var/lib/apt", "var/log/apt", "var/lib/dpkg/diversions-old"]) {
        assert.ok(!existsSync(join(rootfs, leftover)), leftover);
      }
      assert.ok(existsSync(join(rootfs, "etc/alternatives/awk")), "update-alternatives' links stay");
      assert.ok(!existsSync(join(rootfs, "etc/alternatives/awk.1.gz")), "no links to filtered manual pages");
    });

    test("the packages file names each package's architecture: arm64 or all, never the build host's", () => {
      const lines = images.get("arm64")!.basePackages.map((line) => line.split("\t"));
      assert.ok(lines.length > 50, `${lines.length} packages`);
      for (const fields of lines) {
        assert.equal(fields.length, 3, fields.join("|"));
        assert.match(fields[2]!, /^(arm64|all)$/, fields.join(" "));
      }
      assert.ok(lines.some(([name, , arch]) => name === "libstdc++6" && arch === "arm64"));
      const amd64 = images.get("amd64")!.basePackages.map((line) => line.split("\t")[2]);
      assert.ok(
        amd64.every((arch) => arch === "amd64" || arch === "all"),
        amd64.join(" "),
      );
    });
  });
});

async function sha256File(file: string): Promise<string> {
  return createHash("sha256")
    .update(await readFile(file))
    .digest("hex");
}

/**
 * Assembles the OCI image with umoci (Debian's package) from two layers —
 * the Debian base and the application (Node + the bundle) — sets the image
 * configuration from the recipe, and writes an `oci-archive` (a tar of an
 * OCI image layout, image-spec image-layout.md) that skopeo and
 * `docker load`/`podman load` read.
 */
import { cp, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { imageLabels, type Recipe } from "./recipe.ts";
import { reproducibleTar } from "./reproducible-tar.ts";
import { runTool } from "./run-tool.ts";

export interface ImageParts {
  recipe: Recipe;
  version: string;
  ociArch: string;
  baseTar: string;
  baseCreatedBy: string;
  nodeDir: string;
  nodeSpec: string;
  /** RFC 3339 time written as the image's and history entries' `created`. */
  created: string;
}

/** Builds the layout in `work` and writes `archive`; returns the manifest digest. */
export async function assembleImage(parts: ImageParts, work: string, archive: string): Promise<string> {
  const layout = join(work, "layout");
  const image = `${layout}:${parts.version}`;
  const appTar = await appLayer(parts, work);
  const umoci = (args: string[]) => runTool(["umoci", ...args], { timeoutMs: 10 * 60_000 });
  const history = (createdBy: string) => [
    "--history.created",
    parts.created,
    "--history.created_by",
    createdBy,
  ];
  await umoci(["init", "--layout", layout]);
  await umoci(["new", "--image", image]);
  await umoci(["raw", "add-layer", "--image", image, ...history(parts.baseCreatedBy), parts.baseTar]);
  const appBy = `${parts.nodeSpec} as ${parts.recipe.node.binary}; ${parts.recipe.app.files.join(", ")} in ${parts.recipe.app.dir}`;
  await umoci(["raw", "add-layer", "--image", image, ...history(appBy), appTar]);
  await umoci(["config", "--image", image, "--no-history", ...configArgs(parts)]);
  await umoci(["gc", "--layout", layout]);
  await runTool(
    ["tar", "--sort=name", "--owner=0", "--group=0", "--numeric-owner", "-C", layout, "-cf", archive, "."],
    { timeoutMs: 10 * 60_000 },
  );
  const index = JSON.parse(await readFile(join(layout, "index.json"), "utf8")) as {
    manifests: { digest: string }[];
  };
  return index.manifests[0]!.digest;
}

function configArgs(parts: ImageParts): string[] {
  const c = parts.recipe.config;
  const args = ["--os", "linux", "--architecture", parts.ociArch, "--created", parts.created];
  args.push("--config.user", c.user, "--config.workingdir", c.workingDir);
  for (const env of c.env) args.push("--config.env", env);
  for (const arg of c.entrypoint) args.push("--config.entrypoint", arg);
  for (const arg of c.cmd) args.push("--config.cmd", arg);
  for (const [key, value] of Object.entries(imageLabels(parts.recipe, parts.version))) {
    args.push("--config.label", `${key}=${value}`);
  }
  return args;
}

/**
 * The application layer as a tar: Node's binary and licence, the app files
 * under app.dir, and the empty mount points. Owned by root, not writable by
 * others, fixed mtime and order, so equal inputs give an equal layer.
 */
async function appLayer(parts: ImageParts, work: string): Promise<string> {
  const { recipe } = parts;
  const stage = join(work, "app-root");
  const inStage = (path: string) => join(stage, path);
  await mkdir(inStage(recipe.app.dir), { recursive: true });
  const keep = (src: string) => !recipe.app.excludeSuffixes.some((suffix) => src.endsWith(suffix));
  for (const file of recipe.app.files) {
    await cp(file, join(inStage(recipe.app.dir), file), { recursive: true, dereference: true, filter: keep });
  }
  await cp(join(parts.nodeDir, "bin", "node"), inStage(recipe.node.binary));
  await cp(join(parts.nodeDir, "LICENSE"), inStage(recipe.node.license));
  for (const dir of recipe.app.emptyDirs) await mkdir(inStage(dir), { recursive: true });
  const tar = join(work, "app.tar");
  const tops = [
    ...new Set([recipe.app.dir, recipe.node.binary, recipe.node.license, ...recipe.app.emptyDirs]),
  ]
    .map((path) => path.split("/").filter(Boolean)[0]!)
    .filter((top, i, all) => all.indexOf(top) === i)
    .sort();
  await reproducibleTar({
    dir: stage,
    members: tops,
    out: tar,
    created: parts.created,
    mode: "u+rw,go-w,go+rX",
  });
  return tar;
}

/**
 * The image recipe (recipe.json beside this file), typed, with what follows
 * from it for one architecture. Both the offline build (build.ts) and the
 * generated Dockerfile (dockerfile.ts) read it, so they cannot drift apart.
 */
import { readFileSync } from "node:fs";

export interface Recipe {
  debian: {
    suite: string;
    components: string[];
    /** mmdebstrap --variant; "essential" = Debian's Essential:yes set, no apt. */
    variant: string;
    /** Installed on top of the variant (mmdebstrap --include, apt-get install in the Dockerfile). */
    packages: string[];
    /** dpkg path filters (dpkg.cfg(5)); debian:*-slim images carry the same kind. */
    dpkgExcludes: string[];
    /** The public base the Dockerfile starts from. */
    dockerBase: string;
  };
  node: {
    version: string;
    /** npm registry package with Node's official binary; {arch} is Node's name (x64, arm64). */
    npmPackage: string;
    /** npm integrity (sha512) of each package tarball, keyed by Node's arch name. */
    integrity: Record<string, string>;
    binary: string;
    license: string;
  };
  app: {
    dir: string;
    /** Copied to the same relative path under `dir`: the bundle, not all of dist/ (the single executable lands there too). */
    files: string[];
    /** Left out of copied directories (source maps: Node reads them only with --enable-source-maps). */
    excludeSuffixes: string[];
    emptyDirs: string[];
  };
  config: {
    user: string;
    workingDir: string;
    env: string[];
    entrypoint: string[];
    cmd: string[];
    /** {version} is package.json's version. */
    labels: Record<string, string>;
  };
}

export const RECIPE_FILE = "scripts/image/recipe.json";

export function loadRecipe(file = RECIPE_FILE): Recipe {
  return JSON.parse(readFileSync(file, "utf8")) as Recipe;
}

export function packageVersion(file = "package.json"): string {
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

/** OCI/Go architecture names (amd64, arm64) to Node's and Debian's. */
const ARCHES: Record<string, { node: string; debian: string }> = {
  amd64: { node: "x64", debian: "amd64" },
  arm64: { node: "arm64", debian: "arm64" },
};

export function archNames(ociArch: string): { node: string; debian: string } {
  const names = ARCHES[ociArch];
  if (!names)
    throw new Error(`unsupported architecture ${ociArch} (supported: ${Object.keys(ARCHES).join(", ")})`);
  return names;
}

/** Every architecture the recipe builds, in OCI terms. */
export function supportedArches(): string[] {
  return Object.keys(ARCHES);
}

/** This machine's architecture in OCI terms. */
export function hostOciArch(): string {
  const found = Object.entries(ARCHES).find(([, names]) => names.node === process.arch);
  if (!found) throw new Error(`no image recipe for this machine's architecture (${process.arch})`);
  return found[0];
}

export function nodePackageSpec(recipe: Recipe, ociArch: string): { spec: string; integrity: string } {
  const nodeArch = archNames(ociArch).node;
  const integrity = recipe.node.integrity[nodeArch];
  if (!integrity) throw new Error(`${RECIPE_FILE}: node.integrity has no entry for ${nodeArch}`);
  return { spec: `${recipe.node.npmPackage.replace("{arch}", nodeArch)}@${recipe.node.version}`, integrity };
}

export function imageLabels(recipe: Recipe, version: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(recipe.config.labels).map(([key, value]) => [key, value.replaceAll("{version}", version)]),
  );
}

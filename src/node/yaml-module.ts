/**
 * The YAML library as one ESM namespace, for `loadYamlParser` to import lazily.
 *
 * Why this file exists: `yaml` is CommonJS. When a command dynamically imports
 * a CommonJS package that other chunks also import statically, esbuild's code
 * splitting emits a chunk whose only export is `default` (module.exports), and
 * `await import("yaml")` in the bundle then has no `parseDocument` or
 * `LineCounter` (issue #16: every k3s/RKE2 node failed with exit 3). A static
 * import here is wrapped by esbuild's CommonJS interop, so the namespace this
 * module re-exports has the named exports in the source, the bundle and the
 * single executable alike. Dynamically import our own ESM modules, never a
 * CommonJS package directly (test/build/lazy-chunks.test.ts checks dist/).
 */
import * as Yaml from "yaml";

export const yaml: typeof Yaml = Yaml;

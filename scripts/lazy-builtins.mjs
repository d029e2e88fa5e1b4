import { createRequire } from "node:module";

// esbuild plugin: commander requires node:child_process at load time only to
// spawn executable subcommands (commander lib/command.js `_executeSubCommand`),
// which regtrust never uses. Loading child_process (and the net/dgram modules
// it pulls in) cost ~5 ms of every start-up, `--help` included (issue #9), so
// commander gets a stand-in that loads the real module on first use.
export const lazyChildProcessForCommander = {
  name: "lazy-child-process-for-commander",
  setup(build) {
    build.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer)
        ? { path: "child_process", namespace: "lazy-child-process" }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "lazy-child-process" }, () => ({
      loader: "js",
      contents: [
        "let real;",
        'const load = () => (real ??= require("node:child_process"));',
        "module.exports = new Proxy({}, { get: (_target, key) => load()[key] });",
      ].join("\n"),
    }));
  },
};

// esbuild plugin: @kubernetes/client-node 1.x (the last line that runs on Node 20) reaches
// `require("punycode")` through node-fetch 2 → whatwg-url 5 → tr46 0.0.3. That built-in is
// runtime-deprecated since Node 21 (DEP0040), so every k8s command and agent cycle printed
// "(node:…) [DEP0040] DeprecationWarning: The `punycode` module is deprecated" on Node 22/24.
// The bundle gets the userland package Node's warning points to (punycode.js, same API).
export const userlandPunycode = {
  name: "userland-punycode",
  setup(build) {
    build.onResolve({ filter: /^(node:)?punycode$/ }, (args) => ({
      path: createRequire(args.importer || import.meta.url).resolve("punycode/"),
    }));
  },
};

// Optional packages that dependencies try to require inside try/catch and do without: ws
// (bufferutil, utf-8-validate), node-fetch 2 (encoding), debug (supports-color). None is installed,
// so esbuild leaves a bare require() in the bundle. In the single executable that require() is
// Node's SEA require, which loads only built-ins and prints "Warning: Currently the require()
// provided to the main script embedded into single-executable applications only supports loading
// built-in modules" on the first k8s command or agent cycle. Each becomes a module that throws
// MODULE_NOT_FOUND, exactly what the callers' try/catch expects when the package is absent.
export const OPTIONAL_PACKAGES = ["bufferutil", "utf-8-validate", "encoding", "supports-color"];

export const optionalPackagesAbsent = {
  name: "optional-packages-absent",
  setup(build) {
    const filter = new RegExp(`^(${OPTIONAL_PACKAGES.join("|")})$`);
    build.onResolve({ filter }, (args) => ({ path: args.path, namespace: "optional-absent" }));
    build.onLoad({ filter: /.*/, namespace: "optional-absent" }, (args) => ({
      loader: "js",
      contents: `throw Object.assign(new Error(${JSON.stringify(`Cannot find module '${args.path}' (not bundled)`)}), { code: "MODULE_NOT_FOUND" });`,
    }));
  },
};

// esbuild plugin: `node:http` and `node:https` reach the bundle through `require`, not an ESM
// import. An ESM import of a built-in makes Node build the module's ESM facade, which reads every
// export once (lib/internal/bootstrap/realm.js `syncExports`). Since Node 22.4 `node:http` has
// lazy getters (WebSocket, CloseEvent, MessageEvent) whose first read loads all of undici: on
// Node 24 every `diagnose` paid ~25–70 ms for a WebSocket it never uses (issue #18 profile).
// `require` returns the exports object itself and reads no getter; esbuild's interop turns the
// named imports into property reads at the call sites.
const REQUIRED_BUILTINS = /^(node:)?https?$/;

export const builtinsThroughRequire = {
  name: "builtins-through-require",
  setup(build) {
    build.onResolve({ filter: REQUIRED_BUILTINS }, (args) =>
      // The stand-in's own require() is the real built-in.
      args.namespace === "required-builtin"
        ? { path: args.path, external: true }
        : { path: args.path.replace(/^node:/, ""), namespace: "required-builtin" },
    );
    build.onLoad({ filter: /.*/, namespace: "required-builtin" }, (args) => ({
      loader: "js",
      contents: `module.exports = require(${JSON.stringify(`node:${args.path}`)});`,
    }));
  },
};

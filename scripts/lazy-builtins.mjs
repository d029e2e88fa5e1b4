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

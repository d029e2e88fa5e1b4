// Entry point of the Node 20 single executable (scripts/build-sea.mjs).
// In a single executable argv[1] is the executable's own path, which
// main.ts's entry-point check would match; the build's banner hides it before
// any module runs, so this file is main()'s only caller. process.argv0 is the
// name as invoked (unlike execPath, a symlink is not resolved), so a
// kubectl-regtrust symlink or copy maps onto `regtrust k8s`.
import { EXIT } from "../core/errors.ts";
import { dropDependencyWarnings } from "./dependency-warnings.ts";
import { processIo } from "./io.ts";
import { argvForInvocation, main } from "./main.ts";

dropDependencyWarnings();
main(argvForInvocation(process.argv0, process.argv.slice(2)), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`regtrust: internal error: ${String(error)}\n`);
    process.exitCode = EXIT.internal;
  },
);

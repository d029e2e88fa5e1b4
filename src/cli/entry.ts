/**
 * The bundle's entry point (dist/regtrust.mjs, scripts/build.mjs). The build
 * banner turns on Node's compile cache (module.enableCompileCache, Node ≥ 22.1)
 * as the first statement here; a module imported statically would already be
 * compiled by then, so the CLI is imported only now and the cache covers
 * main.ts, commander and the command tree too (issue #18: --help and diagnose
 * on Node 24). main.ts runs itself when argv[1] is regtrust (its entry check).
 */
await import("./main.ts");

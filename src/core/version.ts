declare const __REGTRUST_VERSION__: string | undefined;

/** The release version, set by scripts/build.mjs at bundle time; running from source says so. */
export const VERSION: string = typeof __REGTRUST_VERSION__ === "string" ? __REGTRUST_VERSION__ : "0.0.0-dev";

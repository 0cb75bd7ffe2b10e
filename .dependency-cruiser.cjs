/**
 * The layout's rules, checked by `npm run lint` (depcruise): the core is shared by the API and the
 * processor and depends on neither; the two services never import each other; nothing imports
 * in a circle. See README "Architecture".
 */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "An import cycle: modules that need each other belong in one module, or one of them needs a smaller dependency.",
      from: {},
      to: { circular: true },
    },
    {
      name: "core-is-transport-neutral",
      severity: "error",
      comment: "src/core is the shared domain: it knows nothing of HTTP, tRPC, Next or the services that use it.",
      from: { path: "^src/core/" },
      to: { path: ["^src/(server|processor|app|web|client)/", "node_modules/(@trpc/server|next)/"] },
    },
    {
      name: "processor-does-not-import-api",
      severity: "error",
      comment: "The processor and the API share code through src/core only.",
      from: { path: "^src/processor/" },
      to: { path: "^src/(server|app|web)/" },
    },
    {
      name: "api-does-not-import-processor",
      severity: "error",
      comment: "The processor and the API share code through src/core only.",
      from: { path: "^src/server/" },
      to: { path: "^src/(processor|app|web)/" },
    },
    {
      name: "lib-is-a-leaf",
      severity: "error",
      comment: "src/lib holds process plumbing (db, env, logger, metrics) that everything may use; it uses none of it.",
      from: { path: "^src/lib/" },
      to: { path: "^src/(core|server|processor|app|web|client)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^src/generated/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"], extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json"] },
  },
};

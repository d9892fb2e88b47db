/**
 * The house's floors: app → bot → workers → knowledge → text, with config.ts, keys.ts,
 * logger.ts and i18n.ts (the text catalogue, over locales/) beside them. Imports only go down;
 * no cycles. `npm run check:imports` (CI) checks it.
 */
const floor = (name, mayNotUse) => ({
  name: `${name}-imports-down-only`,
  severity: "error",
  comment: `${name}/ must not import ${mayNotUse.join(", ")}/ (a lower floor never knows a higher one)`,
  from: { path: `^${name}/` },
  to: { path: `^(${mayNotUse.join("|")})/` },
});

module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", from: {}, to: { circular: true } },
    floor("bot", ["app"]),
    floor("workers", ["bot", "app"]),
    floor("db", ["workers", "bot", "app", "knowledge"]),
    floor("knowledge", ["workers", "bot", "app"]),
    floor("text", ["knowledge", "workers", "bot", "app"]),
    {
      name: "shared-roots-import-nothing-above",
      severity: "error",
      comment:
        "config.ts, keys.ts, logger.ts, i18n.ts and reload-gate.ts are read by every floor: they import none of them",
      from: { path: "^(config|keys|logger|i18n|reload-gate)\\.ts$" },
      to: { path: "^(app|bot|workers|knowledge)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "^(node_modules|dist|data|test|bench)/" },
  },
};

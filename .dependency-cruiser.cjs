/**
 * The house's floors: app → console → bot → workers → knowledge → text (the console, for police
 * and schools, stands beside the bot and uses neither it nor the app), with config.ts, keys.ts,
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
    floor("console", ["app", "bot"]),
    floor("bot", ["app", "console"]),
    floor("workers", ["bot", "app", "console"]),
    floor("db", ["workers", "bot", "app", "knowledge", "console"]),
    floor("knowledge", ["workers", "bot", "app", "console"]),
    floor("text", ["knowledge", "workers", "bot", "app", "console"]),
    {
      name: "shared-roots-import-nothing-above",
      severity: "error",
      comment:
        "config.ts, keys.ts, logger.ts, i18n.ts and reload-gate.ts are read by every floor: they import none of them",
      from: { path: "^(config|keys|logger|i18n|reload-gate)\\.ts$" },
      to: { path: "^(app|bot|console|workers|knowledge)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "^(node_modules|dist|data|test|bench)/" },
  },
};

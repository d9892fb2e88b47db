import { Composer } from "grammy";
import { converse, type TelegramDeps } from "../context.js";

/** Catch-all, mounted last: stickers, voice, documents… get guidance instead of silence. */
export function unsupportedFeature(deps: TelegramDeps): Composer<import("grammy").Context> {
  const composer = new Composer();
  composer.on("message", (ctx) => converse(ctx, deps, { kind: "unsupported" }));
  return composer;
}

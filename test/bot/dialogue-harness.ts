import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Dialogue, type DialogueDeps } from "../../bot/dialogue/dialogue.js";
import { RedisFeedbackStore } from "../../bot/dialogue/feedback-store.js";
import { RedisSessionStore } from "../../bot/dialogue/session-store.js";
import { parseConfig } from "../../config.js";
import { articleText } from "../../knowledge/answer/article-text.js";
import { answerQuestion } from "../../knowledge/answer/compose.js";
import { embeddingProviderFor, ingest } from "../../knowledge/engine.js";
import { KnowledgeIndex } from "../../knowledge/index/knowledge-index.js";
import type { TestRuntime } from "../workers/harness.js";

const CORPUS = resolve(import.meta.dirname, "../../knowledge/corpus");

/**
 * The dialogue over the shipped knowledge base (indexed in a temp dir) and a test tip runtime;
 * `extra` adds optional dependencies (the invitation desk, `tell`…). `deps` makes variants.
 */
export async function testDialogue(
  rt: TestRuntime,
  salt: Buffer = randomBytes(16),
  extra: Partial<DialogueDeps> = {},
): Promise<{ dialogue: Dialogue; deps: DialogueDeps; dispose: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "ssg-dialogue-"));
  const provider = embeddingProviderFor(parseConfig({}).knowledge);
  await ingest([CORPUS], join(dir, "index"), provider);
  const index = await KnowledgeIndex.open(join(dir, "index"), provider);
  const deps: DialogueDeps = {
    sessions: new RedisSessionStore(rt.redis, rt.prefix, undefined, rt.content),
    routing: rt.routing,
    intake: rt.intake,
    triage: rt.triage,
    ask: (q, lang) => answerQuestion(index, q, undefined, lang),
    article: (ref) => articleText(index, ref),
    salt,
    feedback: new RedisFeedbackStore(rt.redis, rt.prefix),
    ...extra,
  };
  return { dialogue: new Dialogue(deps), deps, dispose: () => rm(dir, { recursive: true, force: true }) };
}

import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import type { Dialogue, DialogueDeps } from "../../bot/dialogue/dialogue.js";
import { type Config, parseConfig } from "../../config.js";
import { type DatabaseHandle, openDatabase } from "../../db/client.js";
import { answerQuestion } from "../../knowledge/answer/compose.js";
import { embeddingProviderFor, ingestVersion } from "../../knowledge/engine.js";
import { LiveIndex } from "../../knowledge/index/live-index.js";
import { DocumentLibrary } from "../../knowledge/library/document-library.js";
import { createLogger, type Logger } from "../../logger.js";
import { importDirectory } from "../../workers/directory/import.js";
import { InvitationDesk } from "../../workers/directory/invitations.js";
import type { ChatAddress } from "../../workers/messenger.js";
import { memoryChannel } from "../console/one-article-pdf.js";
import { freshDatabase, type TestDatabase } from "../db/engines.js";
import { fillerRules } from "../knowledge/small-corpus.js";
import { EXAMPLE_ROUTING, type TestRuntime } from "../workers/harness.js";
import { testDialogue } from "./dialogue-harness.js";

/** A dialogue with the document library, the directory's invitation desk and a live index. */
export interface DocumentDialogue {
  readonly dialogue: Dialogue;
  readonly deps: DialogueDeps;
  readonly desk: InvitationDesk;
  readonly knowledge: Config["knowledge"];
  readonly live: LiveIndex;
  /** What the library logged (JSON lines), and the directory's refusals. */
  readonly logs: string[];
  readonly logger: Logger;
  /** Makes `chat` a province admin the way the first admin becomes one: a CLI code, joined. */
  makeAdmin(chat: ChatAddress): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * The dialogue over a small corpus (filler rules) in a temp KNOWLEDGE_DIR, with its document
 * library in a temp KNOWLEDGE_UPLOADS_DIR whose announcements reload a LiveIndex that `ask`
 * answers from, and the example province imported into a fresh PGlite database.
 */
export async function documentDialogue(
  rt: TestRuntime,
  extra: Partial<DialogueDeps> = {},
): Promise<DocumentDialogue> {
  const work = await mkdtemp(join(tmpdir(), "ssg-bot-documents-"));
  const knowledge = parseConfig({
    KNOWLEDGE_DIR: join(work, "corpus"),
    INDEX_DIR: join(work, "index"),
    KNOWLEDGE_UPLOADS_DIR: join(work, "documents"),
    EMBEDDING_DIMENSIONS: "64",
  }).knowledge;
  await mkdir(knowledge.corpusDir);
  for (const [id, text] of Object.entries(fillerRules()))
    await writeFile(join(knowledge.corpusDir, `${id}.txt`), text);
  await ingestVersion([knowledge.corpusDir], knowledge.indexDir, embeddingProviderFor(knowledge));
  const logs: string[] = [];
  const logger = createLogger(
    "info",
    new Writable({
      write(chunk: Buffer, _enc, done) {
        logs.push(chunk.toString("utf8"));
        done();
      },
    }),
  );
  const channel = memoryChannel();
  const live = await LiveIndex.open({
    indexDir: knowledge.indexDir,
    provider: embeddingProviderFor(knowledge),
    channel,
    logger: createLogger("silent"),
    pollMs: 0,
  });
  const library = new DocumentLibrary({ knowledge, channel, logger });
  const place: TestDatabase = await freshDatabase("pglite");
  const handle: DatabaseHandle = await openDatabase(place.config);
  await importDirectory(handle.db, EXAMPLE_ROUTING, { actor: "test" });
  const salt = randomBytes(16);
  const desk = new InvitationDesk({ db: handle.db, secret: salt, logger });
  const made = await testDialogue(rt, salt, {
    ask: (q, lang) => answerQuestion(live.current, q, undefined, lang),
    directory: desk,
    documents: {
      preview: (bytes, filename, by) => library.preview(bytes, filename, by),
      confirm: (uploadId, options, by) => library.confirm(uploadId, options, by),
      discard: (uploadId, by) => library.discard(uploadId, by),
      logger,
    },
    ...extra,
  });
  return {
    ...made,
    desk,
    knowledge,
    live,
    logs,
    logger,
    async makeAdmin(chat) {
      const { code } = await desk.mint({ role: "province-admin" }, { by: "cli:test" });
      await made.dialogue.handle(chat, { kind: "text", text: `/thamgia ${code}` });
      await made.dialogue.handle(chat, { kind: "choice", data: "join:yes" });
      if (!(await desk.isAdmin(chat))) throw new Error("the test admin did not join");
    },
    async dispose() {
      await library.idle();
      await live.close();
      await made.dispose();
      await handle.close();
      await place.drop();
      await rm(work, { recursive: true, force: true });
    },
  };
}

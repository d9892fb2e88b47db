import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type DatabaseHandle, openDatabase } from "../../db/client.js";
import { freshDatabase, type TestDatabase } from "../db/engines.js";
import { RecordingMessenger } from "../fakes/recording-messenger.js";
import { eventually, type TestRuntime, testRuntime } from "./harness.js";
import { dumpValues } from "./redis-dump.js";

describe("campaigns in the tip runtime", () => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  let rt: TestRuntime;
  const messenger = new RecordingMessenger();

  beforeEach(async () => {
    database = await freshDatabase("pglite");
    handle = await openDatabase(database.config);
    rt = await testRuntime(messenger, {}, {}, undefined, { database: handle.db });
  });
  afterEach(async () => {
    await rt.campaigns?.queue.obliterate({ force: true });
    await rt.dispose();
    await handle.close();
    await database.drop();
  });

  it("sends a campaign through the runtime's workers and messenger", async () => {
    const campaigns = rt.campaigns;
    if (!campaigns) throw new Error("no campaigns with a database");
    for (const [chatId, role] of [
      ["501", "parent"],
      ["502", "teacher"],
      ["503", "parent"],
    ] as const)
      await campaigns.store.subscribe({
        channel: "telegram",
        chatId,
        role,
        schoolId: "thcs-an-hoa",
        communeId: "xa-an-hoa",
      });
    // A chat subscribed for two schools hears a campaign once.
    await campaigns.store.subscribe({
      channel: "telegram",
      chatId: "501",
      role: "parent",
      schoolId: "th-an-hoa",
      communeId: "xa-an-hoa",
    });
    await campaigns.store.unsubscribe("telegram", "503");
    const campaign = await campaigns.store.createCampaign({
      author: "contact:ca-xa-an-hoa",
      audience: { roles: ["parent"], communes: ["xa-an-hoa"] },
      text: "Công an xã: mùa mưa lũ, không cho trẻ ra sông suối.",
      sendAt: new Date(),
    });
    await campaigns.start(campaign);
    const done = await eventually(async () => {
      const c = await campaigns.store.campaign(campaign.id);
      return c?.status === "done" && c;
    });
    expect(messenger.sent.map((s) => s.to.chatId)).toEqual(["501"]);
    expect(messenger.sent[0]?.message.text).toBe(campaign.text);
    expect(done.sent).toBe(1);
    // The ledger names chats by a keyed hash: no key or value in Redis holds a chat id.
    for (const { key, value } of await dumpValues(rt.redis, rt.prefix))
      for (const chatId of ["501", "502", "503"]) {
        expect(key).not.toContain(`:${chatId}`);
        expect(value.toString("latin1")).not.toMatch(new RegExp(`\\b${chatId}\\b`));
      }
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Dialogue } from "../../bot/dialogue/dialogue.js";
import type { Feature } from "../../bot/dialogue/feature.js";
import { FEATURES } from "../../bot/dialogue/features/index.js";
import { type TestRuntime, testRuntime } from "../workers/harness.js";
import { testDialogue } from "./dialogue-harness.js";

describe("the dialogue's features", () => {
  let rt: TestRuntime;
  let dialogue: Dialogue;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    rt = await testRuntime();
    ({ dialogue, dispose } = await testDialogue(rt));
  });
  afterAll(async () => {
    await rt.dispose();
    await dispose();
  });

  it("refuses two features claiming one command, choice verb or flow", () => {
    // Registration happens in the constructor, before any dependency is used.
    const deps = {} as ConstructorParameters<typeof Dialogue>[0];
    const clash: Feature = { name: "clash", commands: { baotin: () => [] } };
    expect(() => new Dialogue(deps, [...FEATURES, clash])).toThrow(/command "baotin" is claimed twice/);
    const verb: Feature = { name: "verb", choices: { cat: () => [] } };
    expect(() => new Dialogue(deps, [...FEATURES, verb])).toThrow(/choice "cat"/);
  });

  it("answers /gioithieu (a feature that is one file, one line in the index and a locale key)", async () => {
    const [about] = await dialogue.handle(
      { channel: "web", chatId: "A".repeat(43) },
      { kind: "text", text: "/gioithieu" },
    );
    expect(about?.text).toContain("tin báo ẩn danh");
    expect(about?.text).toContain("113");
    expect(about?.choices?.map((c) => c.data)).toEqual([
      "menu:ask",
      "menu:report",
      "menu:status",
      "menu:role",
      "menu:school",
      "menu:language",
    ]);
  });
});

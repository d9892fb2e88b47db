import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isTriageRefused } from "../../workers/triage.js";
import { RecordingMessenger } from "../fakes/recording-messenger.js";
import { type TestRuntime, testRuntime } from "./harness.js";

const tipster = { channel: "web" as const, chatId: "A".repeat(43) };
const stranger = { channel: "web" as const, chatId: "B".repeat(43) };
const officer = { channel: "telegram" as const, chatId: "100000011" }; // Trực ban CA phường An Hòa
const OFFICER_CHAT = officer.chatId;

const tip = {
  category: "ma-tuy",
  urgency: "binh-thuong",
  place: { schoolId: "thcs-an-hoa" },
  description: "Có người lạ bán kẹo lạ cho học sinh trước cổng trường vào giờ tan học.",
};

/** The refusal's reason and text, or "accepted". */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "accepted";
  } catch (e) {
    if (isTriageRefused(e)) return `${e.reason}: ${e.message}`;
    throw e;
  }
}

describe("answers to an officer's question are accepted only from the tipster", () => {
  let rt: TestRuntime;
  let messenger: RecordingMessenger;
  let sent: { tipId: string; caseCode: string; pin: string };

  beforeEach(async () => {
    messenger = new RecordingMessenger();
    rt = await testRuntime(messenger, {}, { STATUS_CHECKS_PER_HOUR: "100" });
    sent = await rt.intake.submit(tip, tipster);
    await messenger.waitFor(() => messenger.to(OFFICER_CHAT).length === 1);
    await rt.triage.ask(officer, sent.tipId, "Người đó mặc áo màu gì?");
    await messenger.waitFor(() => messenger.to(tipster.chatId).length === 1);
  });
  afterEach(async () => {
    await rt.dispose();
  });

  it("refuses another chat that knows the case code, and relays the tipster's own answer", async () => {
    const forged = await outcome(
      rt.triage.tipsterAnswer({ from: stranger }, sent.caseCode, "Áo đỏ (giả mạo)"),
    );
    expect(forged).toMatch(/^not-accepted/);
    // The same refusal, word for word, for a code that does not exist: answers probe nothing.
    const unknown = await outcome(rt.triage.tipsterAnswer({ from: stranger }, "AT-0000-00", "Áo đỏ"));
    expect(unknown).toBe(forged);
    expect(await rt.triage.tipsterAnswer({ from: tipster }, sent.caseCode, "Áo khoác xanh.")).toBe("relayed");
    await messenger.waitFor(() => messenger.to(OFFICER_CHAT).length === 2);
    const toOfficer = messenger.to(OFFICER_CHAT).map((m) => m.text);
    expect(toOfficer.join("\n")).toContain("Áo khoác xanh.");
    expect(toOfficer.join("\n")).not.toContain("giả mạo");
    expect((await rt.store.auditLog(sent.tipId)).filter((a) => a.action === "answered")).toHaveLength(1);
  });

  it("takes an answer from another chat only with the case's PIN", async () => {
    const wrongPin = sent.pin === "000000" ? "111111" : "000000";
    expect(
      await outcome(rt.triage.tipsterAnswer({ from: stranger, pin: wrongPin }, sent.caseCode, "Áo đỏ")),
    ).toMatch(/^not-accepted/);
    expect(
      await rt.triage.tipsterAnswer({ from: stranger, pin: sent.pin }, sent.caseCode, "Áo đỏ, từ máy khác."),
    ).toBe("relayed");
  });

  it("locks a case after five wrong PINs, whoever sends them (new chats buy no guesses)", async () => {
    const wrongPin = (i: number) => String((Number(sent.pin) + 1 + i) % 1_000_000).padStart(6, "0");
    for (let i = 0; i < 5; i++) {
      const guesser = { channel: "web" as const, chatId: `${"G".repeat(41)}${String(i).padStart(2, "0")}` };
      expect(await outcome(rt.triage.status(guesser, sent.caseCode, wrongPin(i)))).toMatch(/^no-such-tip/);
    }
    // Now even the right PIN is refused, from any chat, for status and for answers alike…
    expect(await outcome(rt.triage.status(stranger, sent.caseCode, sent.pin))).toMatch(/^no-such-tip/);
    expect(
      await outcome(rt.triage.tipsterAnswer({ from: stranger, pin: sent.pin }, sent.caseCode, "Áo đỏ")),
    ).toMatch(/^not-accepted/);
    // …while the tipster's own chat still answers without a PIN.
    expect(await rt.triage.tipsterAnswer({ from: tipster }, sent.caseCode, "Vẫn là tôi.")).toBe("relayed");
  });

  it("limits PIN guesses per sender", async () => {
    await rt.dispose();
    rt = await testRuntime(messenger, {}, { STATUS_CHECKS_PER_HOUR: "3" });
    const other = await rt.intake.submit(tip, tipster);
    const results: string[] = [];
    for (let i = 0; i < 4; i++)
      results.push(await outcome(rt.triage.status(stranger, other.caseCode, `00000${i}`)));
    expect(results.slice(0, 3).every((r) => r.startsWith("no-such-tip"))).toBe(true);
    expect(results[3]).toMatch(/^rate-limited/);
    // The right PIN does not get through while the sender is limited.
    expect(await outcome(rt.triage.status(stranger, other.caseCode, other.pin))).toMatch(/^rate-limited/);
  });

  it("takes no answers on a closed case", async () => {
    await rt.triage.close(officer, sent.tipId, "co-co-so");
    expect(await rt.triage.tipsterAnswer({ from: tipster }, sent.caseCode, "Còn một chuyện nữa.")).toBe(
      "closed",
    );
    expect(
      await outcome(rt.triage.tipsterAnswer({ from: stranger, pin: sent.pin }, sent.caseCode, "x")),
    ).toBe("accepted"); // proven by PIN, and told it is closed (nothing relayed)
    expect((await rt.store.auditLog(sent.tipId)).some((a) => a.action === "answered")).toBe(false);
  });
});

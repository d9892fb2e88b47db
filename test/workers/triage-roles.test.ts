import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TipRecord } from "../../workers/tip/tip-store.js";
import { exampleRouting, NO_DEADLINES, type TestRuntime, testRuntime } from "./harness.js";

// Contacts of the example province (workers/routing/example-province.yaml).
const AN_HOA_DUTY_DESK = { channel: "telegram" as const, chatId: "100000011" }; // commune A
const AN_HOA_MINH = { channel: "telegram" as const, chatId: "100000012" }; // commune A, backup
const DONG_TIEN_HUNG = { channel: "telegram" as const, chatId: "100000032" }; // commune B, backup
const PROVINCE_DUTY = { channel: "telegram" as const, chatId: "100000001" };
const DRUGS_UNIT = { channel: "telegram" as const, chatId: "100000002" }; // provincial, ma-tuy only

/** A delivered tip at a school of Phường Đồng Tiến (commune B), routed there. */
function dongTienTip(over: Partial<TipRecord> = {}): TipRecord {
  return {
    id: randomUUID(),
    caseCode: `AT-${randomUUID().slice(0, 4).toUpperCase()}-R${Math.floor(Math.random() * 10)}`,
    category: "bao-luc-hoc-duong",
    urgency: "binh-thuong",
    place: { schoolId: "thpt-tran-phu" },
    description: "Nhóm học sinh chặn đánh bạn ở cổng sau.",
    photoIds: [],
    createdAt: Date.now(),
    status: "delivered",
    chain: ["ca-dong-tien-truc-ban", "ca-dong-tien-hung", "ca-tinh-truc-ban"],
    level: 0,
    communeId: "phuong-dong-tien",
    schoolId: "thpt-tran-phu",
    pinHash: "x",
    replyHandle: "x",
    ...over,
  };
}

/** The tip without the fields set to undefined (the store keeps only fields that are there). */
function without(tip: TipRecord): TipRecord {
  return Object.fromEntries(Object.entries(tip).filter(([, v]) => v !== undefined)) as TipRecord;
}

describe("triage is limited to the tips routed to an officer or their area", () => {
  let rt: TestRuntime;
  beforeEach(async () => {
    rt = await testRuntime(undefined, {}, {}, await exampleRouting(NO_DEADLINES));
  });
  afterEach(async () => {
    await rt.dispose();
  });

  async function stored(tip: TipRecord): Promise<TipRecord> {
    await rt.store.create(without(tip), { at: tip.createdAt, actor: "system", action: "received" });
    return tip;
  }

  it("refuses an officer of commune A on a tip of commune B, audited under a hash, and lets the duty officer act", async () => {
    const tip = await stored(dongTienTip());
    for (const attempt of [
      () => rt.triage.acknowledge(AN_HOA_DUTY_DESK, tip.id),
      () => rt.triage.close(AN_HOA_DUTY_DESK, tip.id, "co-co-so"),
      () => rt.triage.ask(AN_HOA_DUTY_DESK, tip.id, "Ở đâu?"),
      () => rt.triage.forward(AN_HOA_DUTY_DESK, tip.id, "ca-an-hoa-minh"),
    ])
      await expect(attempt()).rejects.toMatchObject({ name: "TriageRefusedError", reason: "not-your-tip" });
    expect((await rt.store.get(tip.id))?.status).toBe("delivered");
    const refusals = (await rt.store.auditLog(tip.id)).filter((a) => a.action.startsWith("refused:"));
    expect(refusals.map((a) => a.action)).toEqual([
      "refused:acknowledge",
      "refused:close",
      "refused:ask",
      "refused:forward",
    ]);
    for (const r of refusals) {
      expect(r.actor).toMatch(/^officer:[0-9a-f]{12}$/);
      expect(JSON.stringify(r)).not.toContain(AN_HOA_DUTY_DESK.chatId);
    }

    const acked = await rt.triage.acknowledge(PROVINCE_DUTY, tip.id);
    expect(acked.acknowledgedBy).toBe("ca-tinh-truc-ban");
    const closed = await rt.triage.close(PROVINCE_DUTY, tip.id, "co-co-so");
    expect(closed.status).toBe("closed");
  });

  it("lets the tip's own chain act, and whoever it was forwarded to", async () => {
    const tip = await stored(dongTienTip());
    await expect(rt.triage.acknowledge(AN_HOA_MINH, tip.id)).rejects.toMatchObject({
      reason: "not-your-tip",
    });
    await rt.triage.forward(DONG_TIEN_HUNG, tip.id, "ca-an-hoa-minh", "Học sinh ở An Hòa");
    const acked = await rt.triage.acknowledge(AN_HOA_MINH, tip.id);
    expect(acked.acknowledgedBy).toBe("ca-an-hoa-minh");
  });

  it("lets an officer act on a tip of their commune that was routed elsewhere (area), not on one without a place", async () => {
    // A tip of commune A whose chain (e.g. from an older table) names only the province desk.
    const inA = await stored(
      dongTienTip({
        place: { communeId: "phuong-an-hoa" },
        communeId: "phuong-an-hoa",
        schoolId: undefined,
        chain: ["ca-tinh-truc-ban"],
      }),
    );
    expect((await rt.triage.acknowledge(AN_HOA_DUTY_DESK, inA.id)).status).toBe("acknowledged");
    const nowhere = await stored(
      dongTienTip({
        place: { text: "trên mạng" },
        category: "an-ninh-mang",
        communeId: undefined,
        schoolId: undefined,
        chain: ["pa05-truc-ban"],
      }),
    );
    await expect(rt.triage.acknowledge(AN_HOA_DUTY_DESK, nowhere.id)).rejects.toMatchObject({
      reason: "not-your-tip",
    });
  });

  it("lets a provincial unit act on the tips of its own category anywhere, and on no other category", async () => {
    // The drugs unit's routes are (ma-tuy, "*"): its area is the whole province, but only for drugs.
    const violence = await stored(dongTienTip());
    await expect(rt.triage.acknowledge(DRUGS_UNIT, violence.id)).rejects.toMatchObject({
      reason: "not-your-tip",
    });
    const drugs = await stored(dongTienTip({ category: "ma-tuy" }));
    expect((await rt.triage.acknowledge(DRUGS_UNIT, drugs.id)).acknowledgedBy).toBe("pc04-truc-ban");
  });
});

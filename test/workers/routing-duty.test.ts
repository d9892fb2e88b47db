import { describe, expect, it } from "vitest";
import {
  type DutyOverlay,
  type NoReachableContactError,
  RoutingTable,
} from "../../workers/routing/routing-table.js";
import type { RoutingTableError } from "../../workers/routing/schema.js";
import { exampleRouting } from "./harness.js";

/**
 * Who a tip goes to when some contacts are off duty (`/nghi`) or vacant (imported without a
 * chat, waiting for an invitation): the routing table's duty overlay and vacant slots.
 */

const NOW = Date.parse("2026-05-11T09:00:00+07:00");
const MINUTE = 60_000;

const ids = (chain: ReadonlyArray<{ id: string }>) => chain.map((c) => c.id);

function failure<E extends Error>(name: string, fn: () => unknown): E {
  try {
    fn();
  } catch (e) {
    expect((e as Error).name).toBe(name);
    return e as E;
  }
  throw new Error(`expected a ${name}`);
}

type ContactDoc = { id: string; name: string; channel?: string | null; chatId?: string | null };

/** A small province; `contacts` replaces the contacts' chats (a missing chat: a vacant slot). */
function table(contacts?: ContactDoc[], offDuty: DutyOverlay = new Map()) {
  return RoutingTable.parse(
    {
      province: { id: "thu", name: "Tỉnh Thử" },
      communes: [
        { id: "xa-a", name: "Xã A" },
        { id: "xa-b", name: "Xã B" },
      ],
      schools: [{ id: "thcs-a", name: "Trường THCS A", commune: "xa-a" }],
      contacts: contacts ?? [
        { id: "tinh", name: "Trực ban Công an tỉnh", channel: "telegram", chatId: "1" },
        { id: "ca-a", name: "Trực ban Công an xã A", channel: "telegram", chatId: "2" },
        { id: "can-bo-a", name: "Cán bộ xã A", channel: "zalo", chatId: "zalo-a" },
        { id: "ca-b", name: "Trực ban Công an xã B", channel: "telegram", chatId: "4" },
      ],
      routes: [
        { category: "*", commune: "*", primary: "tinh", duty: "tinh" },
        { category: "*", commune: "xa-a", primary: "ca-a", backup: "can-bo-a", duty: "tinh" },
        { category: "*", commune: "xa-b", primary: "ca-b", duty: "tinh" },
      ],
      deadlines: { "khan-cap": "10m", "binh-thuong": "4h" },
      dutyOfficer: "tinh",
    },
    "(test)",
    { offDuty },
  );
}

describe("routing with duty status", () => {
  it("starts the chain at the backup when the primary is off duty", () => {
    const t = table(undefined, new Map([["ca-a", null]]));
    expect(ids(t.resolve("ma-tuy", { communeId: "xa-a" }, NOW).chain)).toEqual(["can-bo-a", "tinh"]);
    // Through a school of the commune too; the route itself is unchanged.
    const r = t.resolve("khac", { schoolId: "thcs-a" }, NOW);
    expect(ids(r.chain)).toEqual(["can-bo-a", "tinh"]);
    expect(r.route).toMatchObject({ primary: "ca-a", backup: "can-bo-a" });
    // Another commune is not concerned.
    expect(ids(t.resolve("khac", { communeId: "xa-b" }, NOW).chain)).toEqual(["ca-b", "tinh"]);
  });

  it("sends a commune's tips to the province's duty officer when nobody of its route is on duty", () => {
    const t = table(
      undefined,
      new Map([
        ["ca-a", null],
        ["can-bo-a", NOW + 60 * MINUTE],
      ]),
    );
    expect(ids(t.resolve("khac", { communeId: "xa-a" }, NOW).chain)).toEqual(["tinh"]);
  });

  it("puts an officer back on duty by themself once their time off has passed", () => {
    const until = NOW + 30 * MINUTE;
    const t = table(undefined, new Map([["ca-a", until]]));
    expect(ids(t.resolve("khac", { communeId: "xa-a" }, until - 1).chain)).toEqual(["can-bo-a", "tinh"]);
    expect(ids(t.resolve("khac", { communeId: "xa-a" }, until).chain)).toEqual(["ca-a", "can-bo-a", "tinh"]);
    expect(t.isReachable(t.contactById("ca-a") as never, until - 1)).toBe(false);
    expect(t.isReachable(t.contactById("ca-a") as never, until)).toBe(true);
  });

  it("never leaves out the province's duty officer for being off duty", () => {
    const t = table(undefined, new Map([["tinh", null]]));
    expect(ids(t.resolve("khac", { communeId: "xa-a" }, NOW).chain)).toEqual(["ca-a", "can-bo-a", "tinh"]);
    expect(ids(t.resolve("khac", {}, NOW).chain)).toEqual(["tinh"]);
  });

  it("gives the same table under another overlay without touching the first", () => {
    const t = table();
    const off = t.withDuty(new Map([["ca-a", null]]));
    expect(ids(off.resolve("khac", { communeId: "xa-a" }, NOW).chain)).toEqual(["can-bo-a", "tinh"]);
    expect(ids(t.resolve("khac", { communeId: "xa-a" }, NOW).chain)).toEqual(["ca-a", "can-bo-a", "tinh"]);
    expect(off.offDuty.get("ca-a")).toBeNull();
    expect(t.offDuty.size).toBe(0);
  });
});

describe("vacant contact slots", () => {
  const vacantA: ContactDoc[] = [
    { id: "tinh", name: "Trực ban Công an tỉnh", channel: "telegram", chatId: "1" },
    { id: "ca-a", name: "Trực ban Công an xã A" },
    { id: "can-bo-a", name: "Cán bộ xã A", channel: "zalo", chatId: "zalo-a" },
    { id: "ca-b", name: "Trực ban Công an xã B", channel: null, chatId: null },
  ];

  it("loads a table whose contacts have no chat yet, and routes around them", () => {
    const t = table(vacantA);
    expect(t.contactById("ca-a")).toEqual({ id: "ca-a", name: "Trực ban Công an xã A" });
    expect(t.contactById("ca-b")).toEqual({ id: "ca-b", name: "Trực ban Công an xã B" });
    expect(ids(t.resolve("khac", { communeId: "xa-a" }, NOW).chain)).toEqual(["can-bo-a", "tinh"]);
    expect(ids(t.resolve("khac", { communeId: "xa-b" }, NOW).chain)).toEqual(["tinh"]);
    // A vacant slot is nobody's chat.
    expect(t.contactsByChat("telegram", "undefined")).toEqual([]);
    expect(t.contactsByChat("zalo", "zalo-a").map((c) => c.id)).toEqual(["can-bo-a"]);
    expect(t.areaOf("ca-a")).toEqual(["xa-a"]);
  });

  it("says nobody can receive a tip when the duty officer is vacant too, and loads all the same", () => {
    const allVacant = vacantA.map(({ id, name }) => ({ id, name }));
    const t = table(allVacant);
    const error = failure<NoReachableContactError>("NoReachableContactError", () =>
      t.resolve("khac", { communeId: "xa-a" }, NOW),
    );
    expect(error).toMatchObject({ dutyOfficer: "tinh", route: ["ca-a", "can-bo-a", "tinh"] });
    expect(error.message).toContain("invite an officer");
    // The route is still known, for the roster.
    expect(t.match("khac", { communeId: "xa-a" }).route).toMatchObject({ primary: "ca-a" });
  });

  it("refuses a contact with a channel and no chat id, or a chat id and no channel, with its path", () => {
    const error = failure<RoutingTableError>("RoutingTableError", () =>
      table([
        { id: "tinh", name: "Trực ban Công an tỉnh", channel: "telegram", chatId: "1" },
        { id: "ca-a", name: "Trực ban Công an xã A", channel: "telegram" },
        { id: "can-bo-a", name: "Cán bộ xã A", chatId: "zalo-a" },
        { id: "ca-b", name: "Trực ban Công an xã B", channel: "zalo", chatId: "" },
      ]),
    );
    expect(error.problems.map((p) => p.path)).toEqual([
      "contacts.1.chatId",
      "contacts.2.channel",
      "contacts.3.chatId",
    ]);
    expect(error.problems[0]?.message).toContain("required with a channel");
    expect(error.problems[1]?.message).toContain("required with a chatId");
    expect(error.problems[2]?.message).toContain("must not be empty");
  });

  it("keeps the example province as it is: every contact has its chat", async () => {
    const example = await exampleRouting();
    expect(example.contacts.every((c) => c.channel && c.chatId)).toBe(true);
    expect(ids(example.resolve("ma-tuy", { schoolId: "thcs-an-hoa" }, NOW).chain)).toEqual([
      "ca-an-hoa-truc-ban",
      "pc04-truc-ban",
      "ca-tinh-truc-ban",
    ]);
  });
});

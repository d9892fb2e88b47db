import type { InvitationDesk } from "../../workers/directory/invitations.js";
import {
  type IncidentAnswerResult,
  type IncidentDesk,
  type IncidentRecord,
  IncidentRefusedError,
} from "../../workers/incident/desk.js";
import type { IncidentOutcome, IncidentSubmissionInput } from "../../workers/incident/incident.js";
import type { ChatAddress } from "../../workers/messenger.js";
import type { Contact } from "../../workers/routing/schema.js";

/** One call the dialogue made on the desk. */
export interface DeskCall {
  readonly method: string;
  readonly chat: ChatAddress;
  readonly args: readonly unknown[];
}

const sameChat = (a: ChatAddress, b: ChatAddress) => a.channel === b.channel && a.chatId === b.chatId;

/**
 * An `IncidentDesk` for dialogue tests: `staff` chats may report, `officers` may act; every call
 * is recorded. The real desk and its rules are tested with the incident core and end to end.
 */
export class FakeIncidentDesk implements IncidentDesk {
  readonly calls: DeskCall[] = [];
  readonly staff: ChatAddress[] = [];
  readonly officers: ChatAddress[] = [];
  /** What `pendingQuestion` answers, per chat id. */
  readonly pending = new Map<string, { id: string; caseCode: string }>();
  answerResult: IncidentAnswerResult = "relayed";
  /** Refuses the next report with this reason. */
  refuseNextReport: IncidentRefusedError["reason"] | undefined;
  #n = 0;

  /** The directory's view of the same staff (for `/baocao`'s check before the first step). */
  directory(): InvitationDesk {
    return {
      rolesOf: async (chat: ChatAddress) =>
        this.staff.some((s) => sameChat(s, chat))
          ? [{ role: "school-staff", schoolId: "thcs-an-hoa", schoolRole: "teacher" }]
          : [],
    } as unknown as InvitationDesk;
  }

  #officer(chat: ChatAddress, id: string) {
    if (!this.officers.some((o) => sameChat(o, chat)))
      throw new IncidentRefusedError("not-an-officer", "not a listed contact", id);
  }

  record(id: string, patch: Partial<IncidentRecord> = {}): IncidentRecord {
    return {
      id,
      caseCode: "SC-7KQ3-M8",
      schoolId: "thcs-an-hoa",
      communeId: "phuong-an-hoa",
      reporter: { personId: "p1", name: "Nguyễn Thị Lan", schoolRole: "teacher" },
      kind: "bao-luc-hoc-duong",
      urgency: "binh-thuong",
      occurredAt: 0,
      place: "cong-truong",
      description: "",
      involved: [],
      photoIds: [],
      status: "acknowledged",
      chain: [],
      level: 0,
      createdAt: 0,
      updatedAt: 0,
      ...patch,
    };
  }

  async report(chat: ChatAddress, submission: IncidentSubmissionInput) {
    this.calls.push({ method: "report", chat, args: [submission] });
    const refusal = this.refuseNextReport;
    this.refuseNextReport = undefined;
    if (refusal) throw new IncidentRefusedError(refusal, "refused");
    if (!this.staff.some((s) => sameChat(s, chat)))
      throw new IncidentRefusedError("not-school-staff", "not school staff");
    this.#n++;
    return { id: `00000000-0000-4000-8000-00000000000${this.#n}`, caseCode: `SC-7KQ3-M${this.#n}` };
  }

  async acknowledge(chat: ChatAddress, id: string) {
    this.calls.push({ method: "acknowledge", chat, args: [id] });
    this.#officer(chat, id);
    return this.record(id);
  }

  async onSite(chat: ChatAddress, id: string, note?: string) {
    this.calls.push({ method: "onSite", chat, args: [id, note] });
    this.#officer(chat, id);
    return this.record(id, { status: "on-site" });
  }

  async ask(chat: ChatAddress, id: string, question: string) {
    this.calls.push({ method: "ask", chat, args: [id, question] });
    this.#officer(chat, id);
  }

  async forward(chat: ChatAddress, id: string, to: string, note?: string): Promise<Contact> {
    this.calls.push({ method: "forward", chat, args: [id, to, note] });
    this.#officer(chat, id);
    return { id: to, name: to } as Contact;
  }

  async close(chat: ChatAddress, id: string, outcome: IncidentOutcome, note?: string) {
    this.calls.push({ method: "close", chat, args: [id, outcome, note] });
    this.#officer(chat, id);
    return this.record(id, { status: "closed", outcome });
  }

  async answer(chat: ChatAddress, caseCode: string, text: string) {
    this.calls.push({ method: "answer", chat, args: [caseCode, text] });
    if (!this.staff.some((s) => sameChat(s, chat)))
      throw new IncidentRefusedError("not-the-reporter", "not the reporter");
    return this.answerResult;
  }

  async pendingQuestion(chat: ChatAddress) {
    return this.pending.get(chat.chatId);
  }

  async get(viewer: Parameters<IncidentDesk["get"]>[0], id: string) {
    this.calls.push({
      method: "get",
      chat: viewer.kind === "chat" ? viewer.chat : { channel: "web", chatId: "" },
      args: [id],
    });
    if (viewer.kind === "chat") this.#officer(viewer.chat, id);
    return this.record(id);
  }

  async timeline() {
    return [];
  }

  async idForCaseCode(_viewer: unknown, caseCode: string) {
    return /^SC-7KQ3-M8$/i.test(caseCode.trim()) ? "00000000-0000-4000-8000-0000000000aa" : undefined;
  }

  async scopeFor() {
    return { by: "all" } as const;
  }

  async list() {
    return [];
  }

  async countsBySchool() {
    return [];
  }
}

import type { Answer } from "../../knowledge/answer/compose.js";
import { removeDiacritics } from "../../knowledge/text/normalize.js";
import { type TipIntake, TipRejectedError } from "../../workers/intake.js";
import type { ChatAddress } from "../../workers/messenger.js";
import type { RoutingTable } from "../../workers/routing/routing-table.js";
import { statisticsTable } from "../../workers/stats.js";
import { detectEmergency } from "../../workers/tip/emergency.js";
import { senderKey } from "../../workers/tip/sender-key.js";
import {
  CATEGORIES,
  CATEGORY_LABELS,
  type Category,
  OUTCOME_LABELS,
  OUTCOMES,
  URGENCIES,
  URGENCY_LABELS,
} from "../../workers/tip/tip.js";
import type { Triage } from "../../workers/triage.js";
import type { ReportFlow, Session, SessionStore } from "./session-store.js";

/** Something a person did in a chat, whatever the channel. */
export type Incoming =
  | {
      readonly kind: "text";
      readonly text: string /** Text of the message replied to, if any. */;
      readonly quoted?: string;
    }
  | { readonly kind: "choice"; readonly data: string }
  | { readonly kind: "photo"; readonly bytes: Buffer }
  | { readonly kind: "unsupported" };

/** A choice offered with a reply: a button on Telegram and the web, a numbered line on Zalo. */
export interface Choice {
  readonly data: string;
  readonly label: string;
}

export interface Reply {
  readonly text: string;
  readonly choices?: readonly Choice[];
}

export interface DialogueDeps {
  readonly sessions: SessionStore;
  readonly routing: RoutingTable;
  readonly intake: TipIntake;
  readonly triage: Triage;
  /** Answers a question from the knowledge base. */
  readonly ask: (question: string) => Promise<Answer>;
  /** Salt for the session key (a hash of the chat). */
  readonly salt: Buffer;
}

const HOTLINES = "Khẩn cấp: 113 (công an) · 114 (cháy, cứu nạn) · 115 (cấp cứu) · 111 (bảo vệ trẻ em).";

const REPORT_INTRO = [
  "GỬI TIN BÁO ẨN DANH",
  "Bot chỉ giữ nội dung bạn báo (loại việc, nơi xảy ra, mô tả, ảnh đã xóa thông tin vị trí). Bot KHÔNG lưu tên, số điện thoại hay tài khoản của bạn cùng tin báo, và không cho cán bộ biết ai gửi.",
  `Bot không thay thế 113/114/115. ${HOTLINES}`,
  "Gõ /huy bất cứ lúc nào để hủy.",
].join("\n");

const MENU: Choice[] = [
  { data: "menu:ask", label: "Hỏi về quy định an ninh, an toàn" },
  { data: "menu:report", label: "Gửi tin báo ẩn danh" },
  { data: "menu:status", label: "Xem trạng thái tin báo" },
  { data: "menu:role", label: "Tôi là…" },
  { data: "menu:school", label: "Trường của tôi" },
];

const ROLES: Choice[] = [
  { data: "role:phu-huynh", label: "Phụ huynh" },
  { data: "role:giao-vien", label: "Giáo viên / cán bộ nhà trường" },
  { data: "role:hoc-sinh", label: "Học sinh" },
  { data: "role:cong-an", label: "Cán bộ công an" },
];

const MAX_PHOTOS = 5;
/** A tip draft left untouched this long is dropped, and the user is told so. */
export const DRAFT_TIMEOUT_MS = 30 * 60_000;

/**
 * The conversation, written once for every channel: menu, questions, anonymous tips, status,
 * tipsters' answers and officers' actions. Adapters turn channel updates into `Incoming` and
 * send back the `Reply`s.
 */
export class Dialogue {
  constructor(private readonly deps: DialogueDeps) {}

  async handle(chat: ChatAddress, input: Incoming): Promise<Reply[]> {
    const key = senderKey(this.deps.salt, chat.channel, chat.chatId);
    const session = await this.deps.sessions.load(key);
    const replies: Reply[] = [];
    // Danger to life comes before anything else, whatever the step.
    if (input.kind === "text") {
      const emergency = detectEmergency(input.text);
      if (emergency) replies.push({ text: `⚠️ ${emergency.guidance.join("\n")}` });
    }
    // On channels without buttons, a bare number picks one of the choices offered last.
    const picked = input.kind === "text" ? /^\s*(\d{1,2})\s*\.?\s*$/.exec(input.text) : null;
    const offered = picked ? session.offered?.[Number(picked[1]) - 1] : undefined;
    if (session.flow?.kind === "report" && Date.now() - session.updatedAt > DRAFT_TIMEOUT_MS) {
      session.flow = undefined;
      session.offered = undefined;
      replies.push({
        text: "Tin báo đang soạn dở đã quá 30 phút nên bot đã xóa nó. Gõ /baotin để bắt đầu lại.",
      });
      if (picked) return this.finish(key, session, replies);
    }
    replies.push(...(await this.route(chat, session, offered ? { kind: "choice", data: offered } : input)));
    return this.finish(key, session, replies);
  }

  private async finish(key: string, session: Session, replies: Reply[]): Promise<Reply[]> {
    const lastChoices = replies.findLast((r) => r.choices && r.choices.length > 0)?.choices;
    session.offered = lastChoices?.map((c) => c.data);
    session.updatedAt = Date.now();
    await this.deps.sessions.save(key, session);
    return replies;
  }

  private async route(chat: ChatAddress, s: Session, input: Incoming): Promise<Reply[]> {
    if (input.kind === "unsupported")
      return [
        {
          text: `Bot chưa đọc được loại tin nhắn này. Hãy gõ chữ để hỏi, hoặc gõ /baotin để gửi tin báo. ${HOTLINES}`,
        },
      ];
    if (input.kind === "choice") return this.choice(chat, s, input.data);
    if (input.kind === "photo") {
      if (s.flow?.kind === "report" && s.flow.step === "photo") return this.addPhoto(s.flow, input.bytes);
      return [{ text: "Muốn gửi ảnh kèm tin báo, hãy gõ /baotin trước." }];
    }
    const text = input.text.trim();
    const command = /^\/(\w+)(?:@\w+)?\s*(.*)$/s.exec(text);
    if (command) return this.command(chat, s, (command[1] as string).toLowerCase(), command[2] ?? "");
    if (s.flow?.kind === "report") return this.reportText(s.flow, text);
    if (s.flow?.kind === "school") {
      const schools = this.deps.routing.searchPlaces(text, 6).filter((m) => m.kind === "school");
      if (schools.length === 0) return [{ text: "Không tìm thấy trường này. Gõ lại, hoặc /huy." }];
      return [
        { text: "Chọn trường:", choices: schools.map((m) => ({ data: `school:${m.id}`, label: m.name })) },
      ];
    }
    if (s.flow?.kind === "officer-ask") {
      const tipId = s.flow.tipId;
      s.flow = undefined;
      return this.officerAction(
        () => this.deps.triage.ask(chat, tipId, text),
        "Đã chuyển câu hỏi đến người báo tin (ẩn danh).",
      );
    }
    // A reply to a relayed question carries the case code in the quoted message.
    const code = input.quoted ? /AT-[A-Z0-9]{4}-[A-Z0-9]{2}/.exec(input.quoted)?.[0] : undefined;
    if (code) return this.tipsterAnswer(code, text);
    return this.ask(text, s);
  }

  private async command(chat: ChatAddress, s: Session, name: string, arg: string): Promise<Reply[]> {
    switch (name) {
      case "start":
      case "menu":
        s.flow = undefined;
        return [
          {
            text: "Xin chào! Đây là Cổng trường an toàn: hỏi đáp về an ninh, an toàn trường học và gửi tin báo ẩn danh.",
            choices: MENU,
          },
        ];
      case "huy":
        if (!s.flow) return [{ text: "Không có việc gì đang làm dở." }];
        s.flow = undefined;
        return [{ text: "Đã hủy. Nội dung chưa gửi đã được xóa.", choices: MENU }];
      case "baotin":
        return this.startReport(s);
      case "trangthai": {
        const [code, pin] = arg.split(/\s+/);
        if (!code || !pin)
          return [{ text: "Gõ: /trangthai <mã tin báo> <mã PIN>, ví dụ /trangthai AT-7KQ3-M8 123456" }];
        try {
          return [{ text: await this.deps.triage.status(chat, code, pin) }];
        } catch (e) {
          return [{ text: (e as Error).message }];
        }
      }
      case "traloi": {
        const m = /^(\S+)\s+(.+)$/s.exec(arg);
        if (!m) return [{ text: "Gõ: /traloi <mã tin báo> <câu trả lời>" }];
        return this.tipsterAnswer(m[1] as string, m[2] as string);
      }
      case "nhan":
      case "hoi":
      case "dong":
        return this.officerCommand(chat, s, name, arg);
      case "thongke":
        return this.statistics(chat);
      case "vaitro":
        return [{ text: "Bạn là…", choices: ROLES }];
      case "truong":
        s.flow = { kind: "school" };
        return [{ text: "Gõ tên trường của bạn (có thể không dấu), ví dụ “THCS An Hòa”:" }];
      default:
        return [{ text: "Bot không hiểu lệnh này.", choices: MENU }];
    }
  }

  /** `/thongke`: the officer's area, from 1 January to today (Vietnam time). */
  private async statistics(chat: ChatAddress): Promise<Reply[]> {
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Ho_Chi_Minh" }).format(new Date());
    const year = today.slice(0, 4);
    const from = Date.parse(`${year}-01-01T00:00:00+07:00`);
    const to = Date.parse(`${today}T00:00:00+07:00`) + 86_400_000;
    try {
      const stats = await this.deps.triage.statisticsFor(chat, from, to, {
        from: `${year}-01-01`,
        to: today,
      });
      return [{ text: statisticsTable(stats) }];
    } catch (e) {
      if ((e as Error).name === "TriageRefusedError") return [{ text: (e as Error).message }];
      throw e;
    }
  }

  /** Officers' actions typed as commands with a case code (channels without buttons). */
  private async officerCommand(chat: ChatAddress, s: Session, name: string, arg: string): Promise<Reply[]> {
    const m = /^(\S+)\s*(.*)$/s.exec(arg.trim());
    const tipId = m ? await this.deps.triage.tipIdForCode(m[1] as string) : undefined;
    if (!m || !tipId) return [{ text: "Cần mã tin báo đúng, ví dụ: /nhan AT-7KQ3-M8" }];
    const rest = (m[2] ?? "").trim();
    if (name === "nhan") return this.choice(chat, s, `ack:${tipId}`);
    if (name === "hoi") {
      if (!rest) return [{ text: "Gõ: /hoi <mã> <câu hỏi>" }];
      return this.officerAction(
        () => this.deps.triage.ask(chat, tipId, rest),
        "Đã chuyển câu hỏi đến người báo tin (ẩn danh).",
      );
    }
    const outcome = OUTCOMES.find(
      (o) =>
        removeDiacritics(OUTCOME_LABELS[o]).toLowerCase() === removeDiacritics(rest).toLowerCase() ||
        o === rest,
    );
    if (!outcome || outcome === "trung")
      return [
        {
          text: `Gõ: /dong <mã> <kết quả>, kết quả là một trong: ${OUTCOMES.filter((o) => o !== "trung")
            .map((o) => OUTCOME_LABELS[o])
            .join(", ")}.`,
        },
      ];
    return this.choice(chat, s, `out:${outcome}:${tipId}`);
  }

  private async ask(question: string, s: Session): Promise<Reply[]> {
    if (question.length < 2) return [{ text: "Bạn muốn hỏi gì?", choices: MENU }];
    const answer = await this.deps.ask(question.slice(0, 1000));
    const replies: Reply[] = [{ text: answer.answer }];
    if (
      s.role === "phu-huynh" &&
      !answer.abstained &&
      /mu bao hiem|xe may|giao thong|atgt/.test(removeDiacritics(question).toLowerCase())
    )
      replies.push({
        text: "Khi ký cam kết an toàn giao thông, phụ huynh hứa: cho con đội mũ bảo hiểm cài quai, không giao xe máy cho con chưa đủ tuổi, và nhắc con đi đúng luật. Hỏi tiếp nếu bạn muốn biết mức phạt cụ thể.",
      });
    return replies;
  }

  private async tipsterAnswer(codeInput: string, text: string): Promise<Reply[]> {
    try {
      const r = await this.deps.triage.tipsterAnswer(codeInput, text);
      return [
        {
          text:
            r === "relayed"
              ? "Đã chuyển câu trả lời của bạn đến cán bộ phụ trách. Danh tính của bạn vẫn được giữ kín."
              : "Tin báo này chưa có câu hỏi nào cần trả lời.",
        },
      ];
    } catch (e) {
      return [{ text: (e as Error).message }];
    }
  }

  private startReport(s: Session): Reply[] {
    s.flow = { kind: "report", step: "category", photoIds: [] };
    return [
      { text: REPORT_INTRO },
      {
        text: "Bạn muốn báo về việc gì?",
        choices: CATEGORIES.map((c) => ({ data: `cat:${c}`, label: CATEGORY_LABELS[c] })),
      },
    ];
  }

  private placePrompt(s: Session): Reply {
    const remembered = s.schoolId ? this.deps.routing.schools.find((x) => x.id === s.schoolId) : undefined;
    return {
      text: "Việc xảy ra ở đâu? Gõ tên trường hoặc xã/phường (có thể không dấu), hoặc chọn:",
      choices: [
        ...(remembered ? [{ data: `place:school:${remembered.id}`, label: remembered.name }] : []),
        { data: "place:other", label: "Nơi khác — tôi sẽ mô tả" },
      ],
    };
  }

  private async reportText(flow: ReportFlow, text: string): Promise<Reply[]> {
    switch (flow.step) {
      case "category":
        return [{ text: "Hãy chọn một loại việc ở trên (hoặc gõ số)." }];
      case "place": {
        const matches = this.deps.routing.searchPlaces(text, 6);
        if (matches.length === 0)
          return [
            {
              text: "Không tìm thấy trường hay xã/phường nào như vậy. Gõ lại, hoặc chọn “Nơi khác” để tự mô tả.",
              choices: [{ data: "place:other", label: "Nơi khác — tôi sẽ mô tả" }],
            },
          ];
        return [
          {
            text: "Chọn nơi xảy ra:",
            choices: [
              ...matches.map((m) => ({ data: `place:${m.kind}:${m.id}`, label: m.name })),
              { data: "place:other", label: "Nơi khác — tôi sẽ mô tả" },
            ],
          },
        ];
      }
      case "place-text":
        flow.placeText = text.slice(0, 300);
        flow.step = "description";
        return [{ text: "Điều gì đã xảy ra? Hãy kể ngắn gọn: ai, làm gì, khi nào. Đừng ghi tên của bạn." }];
      case "description":
        if (text.length < 5) return [{ text: "Mô tả quá ngắn, hãy kể thêm một chút." }];
        flow.description = text.slice(0, 4000);
        flow.step = "photo";
        return [
          {
            text: "Bạn có ảnh không? Gửi ảnh (tối đa 5), hoặc chọn:",
            choices: [{ data: "photo:done", label: "Không có ảnh / Xong" }],
          },
        ];
      case "photo":
        return [{ text: "Gửi ảnh, hoặc chọn “Xong”.", choices: [{ data: "photo:done", label: "Xong" }] }];
      case "urgency":
      case "confirm":
        return [{ text: "Hãy chọn một trong các lựa chọn ở trên, hoặc gõ /huy để hủy." }];
    }
    return [];
  }

  private async addPhoto(flow: ReportFlow, bytes: Buffer): Promise<Reply[]> {
    if (flow.photoIds.length >= MAX_PHOTOS)
      return [{ text: `Tối đa ${MAX_PHOTOS} ảnh.`, choices: [{ data: "photo:done", label: "Xong" }] }];
    try {
      flow.photoIds.push(await this.deps.intake.addPhoto(bytes));
    } catch (e) {
      const reason = (e as { reason?: string }).reason;
      return [
        {
          text: reason === "too-large" ? "Ảnh quá lớn (tối đa 20 MB)." : "Bot chỉ nhận ảnh JPEG hoặc PNG.",
          choices: [{ data: "photo:done", label: "Xong" }],
        },
      ];
    }
    return [
      {
        text: `Đã nhận ${flow.photoIds.length} ảnh (đã xóa thông tin vị trí, thiết bị). Gửi thêm hoặc chọn “Xong”.`,
        choices: [{ data: "photo:done", label: "Xong" }],
      },
    ];
  }

  private async choice(chat: ChatAddress, s: Session, data: string): Promise<Reply[]> {
    const [verb, a = "", b = ""] = data.split(":");
    const flow = s.flow?.kind === "report" ? s.flow : undefined;
    switch (verb) {
      case "menu":
        if (a === "report") return this.startReport(s);
        if (a === "ask")
          return [{ text: "Hãy gõ câu hỏi của bạn, ví dụ: “Không đội mũ bảo hiểm bị phạt bao nhiêu?”" }];
        if (a === "status") return [{ text: "Gõ: /trangthai <mã tin báo> <mã PIN>" }];
        if (a === "role") return [{ text: "Bạn là…", choices: ROLES }];
        if (a === "school") return this.command(chat, s, "truong", "");
        break;
      case "school":
        if (s.flow?.kind === "school" && this.deps.routing.schools.some((x) => x.id === a)) {
          s.schoolId = a;
          s.flow = undefined;
          const name = this.deps.routing.schools.find((x) => x.id === a)?.name ?? a;
          return [{ text: `Đã ghi nhớ trường: ${name}. Đổi bằng /truong.`, choices: MENU }];
        }
        break;
      case "role":
        if (a === "phu-huynh" || a === "giao-vien" || a === "hoc-sinh" || a === "cong-an") {
          s.role = a;
          return [{ text: "Đã ghi nhớ. Bạn có thể đổi bất cứ lúc nào bằng /vaitro.", choices: MENU }];
        }
        break;
      case "cat":
        if (flow?.step === "category" && (CATEGORIES as readonly string[]).includes(a)) {
          flow.category = a as Category;
          flow.step = "place";
          return [this.placePrompt(s)];
        }
        break;
      case "place":
        if (flow?.step === "place") {
          if (a === "other") {
            flow.step = "place-text";
            return [{ text: "Mô tả nơi xảy ra (không cần ghi tên bạn):" }];
          }
          if (a === "school" && this.deps.routing.schools.some((x) => x.id === b)) {
            // The tip's school is not remembered in the session: only a school chosen with /truong is.
            flow.schoolId = b;
          } else if (a === "commune" && this.deps.routing.communes.some((x) => x.id === b))
            flow.communeId = b;
          else break;
          flow.step = "description";
          return [{ text: "Điều gì đã xảy ra? Hãy kể ngắn gọn: ai, làm gì, khi nào. Đừng ghi tên của bạn." }];
        }
        break;
      case "photo":
        if (flow?.step === "photo" && a === "done") {
          flow.step = "urgency";
          return [
            {
              text: "Việc này có khẩn cấp không (đang xảy ra, có người gặp nguy hiểm)?",
              choices: URGENCIES.map((u) => ({ data: `urg:${u}`, label: URGENCY_LABELS[u] })),
            },
          ];
        }
        break;
      case "urg":
        if (flow?.step === "urgency" && (URGENCIES as readonly string[]).includes(a)) {
          flow.urgency = a as ReportFlow["urgency"];
          flow.step = "confirm";
          return [
            {
              text: this.summary(flow),
              choices: [
                { data: "send:yes", label: "Gửi" },
                { data: "send:no", label: "Hủy" },
              ],
            },
          ];
        }
        break;
      case "send":
        if (flow?.step === "confirm")
          return a === "yes" ? this.submit(chat, s, flow) : this.command(chat, s, "huy", "");
        break;
      case "ack":
        return this.officerAction(
          () => this.deps.triage.acknowledge(chat, a),
          "Đã nhận xử lý. Tin báo sẽ không chuyển lên cấp trên nữa.",
        );
      case "ask":
        if (!this.deps.routing.contactByChat(chat.channel, chat.chatId))
          // Triage refuses and audits the attempt before it looks at the (empty) question.
          return this.officerAction(() => this.deps.triage.ask(chat, a, ""), "");
        s.flow = { kind: "officer-ask", tipId: a };
        return [{ text: "Gõ câu hỏi cho người báo tin (bot chuyển ẩn danh):" }];
      case "close":
        return [
          {
            text: "Kết quả xử lý:",
            choices: OUTCOMES.filter((o) => o !== "trung").map((o) => ({
              data: `out:${o}:${a}`,
              label: OUTCOME_LABELS[o],
            })),
          },
        ];
      case "out":
        return this.officerAction(
          () => this.deps.triage.close(chat, b, a),
          `Đã đóng tin báo: ${OUTCOME_LABELS[a as keyof typeof OUTCOME_LABELS] ?? a}.`,
        );
    }
    // Forged, stale or out-of-step choices change nothing.
    return [{ text: "Lựa chọn này không còn hiệu lực.", choices: MENU }];
  }

  private summary(flow: ReportFlow): string {
    const { routing } = this.deps;
    const place = [
      flow.schoolId && routing.schools.find((x) => x.id === flow.schoolId)?.name,
      flow.communeId && routing.communes.find((x) => x.id === flow.communeId)?.name,
      flow.placeText,
    ]
      .filter(Boolean)
      .join(", ");
    return [
      "Kiểm tra lại tin báo:",
      `Loại: ${flow.category ? CATEGORY_LABELS[flow.category] : "?"}`,
      `Nơi: ${place || "?"}`,
      `Nội dung: ${flow.description ?? "?"}`,
      `Ảnh: ${flow.photoIds.length}`,
      `Mức độ: ${flow.urgency ? URGENCY_LABELS[flow.urgency] : "?"}`,
    ].join("\n");
  }

  private async submit(chat: ChatAddress, s: Session, flow: ReportFlow): Promise<Reply[]> {
    try {
      const r = await this.deps.intake.submit(
        {
          category: flow.category,
          urgency: flow.urgency,
          place: {
            ...(flow.schoolId && { schoolId: flow.schoolId }),
            ...(flow.communeId && { communeId: flow.communeId }),
            ...(flow.placeText && { text: flow.placeText }),
          },
          description: flow.description,
          photoIds: flow.photoIds,
        },
        chat,
      );
      // The draft goes; the session keeps no trace of the tip or its code.
      s.flow = undefined;
      return [
        ...(r.emergency ? [{ text: `⚠️ ${r.emergency.guidance.join("\n")}` }] : []),
        {
          text: [
            "Đã gửi tin báo. Cảm ơn bạn!",
            `Mã tin báo: ${r.caseCode}`,
            `Mã PIN: ${r.pin}`,
            "Hãy ghi lại hai mã này: bot sẽ không hiển thị lại. Xem trạng thái: /trangthai <mã> <PIN>.",
            "Nếu cán bộ hỏi thêm, câu hỏi sẽ đến trong cuộc trò chuyện này; trả lời trực tiếp vào tin nhắn đó.",
          ].join("\n"),
        },
      ];
    } catch (e) {
      if (e instanceof TipRejectedError) return [{ text: e.message }];
      throw e;
    }
  }

  private async officerAction(action: () => Promise<unknown>, done: string): Promise<Reply[]> {
    try {
      await action();
      return [{ text: done }];
    } catch (e) {
      if ((e as Error).name === "TriageRefusedError") return [{ text: (e as Error).message }];
      throw e;
    }
  }
}

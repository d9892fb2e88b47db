import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../config.js";
import { answerQuestion } from "../../knowledge/answer/compose.js";
import { factsOf } from "../../knowledge/answer/facts.js";
import {
  checkGrounded,
  type GroundedModel,
  loadGroundedPrompts,
  type NumberedPassage,
  phrase,
  quotedPassages,
} from "../../knowledge/answer/grounded.js";
import { ChatModelError, OpenAIChatClient } from "../../knowledge/answer/llm-client.js";
import { corpusEmbeddingProvider, KnowledgeIndex } from "../../knowledge/index/knowledge-index.js";
import type { SourceFile } from "../../knowledge/load/sources.js";
import { type ChatRequest, type FakeChatServer, startFakeChatServer } from "../fakes/openai-chat-server.js";
import { fillerRules } from "./small-corpus.js";

const DECREE = `---
id: nd-168
symbol: 168/2024/NĐ-CP
title: Nghị định quy định xử phạt vi phạm hành chính về trật tự, an toàn giao thông đường bộ
kind: nghị định
date: 2024-12-26
---
## Xử phạt người điều khiển xe mô tô, xe gắn máy (Điều 7)
Phạt tiền từ 400.000 đồng đến 600.000 đồng đối với người điều khiển xe mô tô, xe gắn máy không đội mũ bảo hiểm hoặc đội mũ bảo hiểm không cài quai đúng quy cách khi tham gia giao thông; chở người ngồi trên xe không đội mũ bảo hiểm, trừ trẻ em dưới 06 tuổi.
`;
const HOTLINES = `---
id: duong-day-nong
title: Các số điện thoại khẩn cấp
kind: tài liệu hướng dẫn
---
## Báo cháy
Khi phát hiện cháy, gọi ngay số 114 để báo cháy; gọi 113 khi cần công an và 115 khi cần cấp cứu. Đường dây nóng của Phòng Giáo dục: 0243 826 1234, gặp “cán bộ trực an ninh trường học”.
`;

async function buildIndex(): Promise<KnowledgeIndex> {
  const index = KnowledgeIndex.create(corpusEmbeddingProvider(64));
  const files: SourceFile[] = [
    { path: "nd-168.md", hash: "nd-168", bytes: Buffer.from(DECREE) },
    { path: "duong-day-nong.md", hash: "hotlines", bytes: Buffer.from(HOTLINES) },
    ...Object.entries(fillerRules()).map(([id, text]) => ({
      path: `${id}.txt`,
      hash: id,
      bytes: Buffer.from(text),
    })),
  ];
  await index.update(files);
  return index;
}

const HELMET = "Không đội mũ bảo hiểm khi đi xe máy bị phạt bao nhiêu tiền?";
const FIRE = "Số điện thoại báo cháy là gì?";

/** The passage numbers the fake was given, read back from its prompt ("[1] …"). */
const givenNumbers = (req: ChatRequest) =>
  [...(req.body.messages.at(-1)?.content ?? "").matchAll(/^\[(\d+)\]/gm)].map((m) => Number(m[1]));

describe("grounded LLM against a fake OpenAI-compatible server", () => {
  let server: FakeChatServer;
  let index: KnowledgeIndex;
  let model: GroundedModel;

  beforeAll(async () => {
    server = await startFakeChatServer();
    index = await buildIndex();
    model = {
      client: new OpenAIChatClient({ baseURL: server.baseURL, model: "fake-chat", timeoutMs: 300 }),
      prompts: await loadGroundedPrompts(),
    };
  });
  afterAll(async () => {
    await server.close();
  });

  it("sends the quoted passages, numbered as the answer cites them, in a Vietnamese prompt", async () => {
    const extractive = await answerQuestion(index, HELMET);
    expect(extractive.abstained).toBe(false);
    const sources = quotedPassages(extractive, extractive.passages);
    expect(sources.map((s) => s.n)).toEqual([1]);
    expect(sources[0]?.header).toContain("Điều 7");
    expect(sources[0]?.header).toContain("168/2024/NĐ-CP");
    server.script({ content: "Bị phạt từ 400.000 đến 600.000 đồng [1]." });
    await phrase(HELMET, extractive, extractive.passages, model, "vi");
    const req = server.requests.at(-1) as ChatRequest;
    expect(req.body.model).toBe("fake-chat");
    expect(req.body.messages.map((m) => m.role)).toEqual(["system", "user"]);
    expect(req.body.messages[0]?.content).toMatch(/Chỉ dùng thông tin/);
    expect(req.body.messages[1]?.content).toContain(HELMET);
    expect(givenNumbers(req)).toEqual([1]);
    expect(req.authorization).toBeUndefined();
  });

  it("lets a faithful phrasing reach the user, under the extractive answer's own basis line", async () => {
    const extractive = await answerQuestion(index, HELMET);
    const text =
      "Có. Không đội mũ bảo hiểm khi đi xe máy bị phạt từ 400 nghìn đến 600 nghìn đồng, theo Điều 7 Nghị định 168/2024/NĐ-CP [1].";
    server.script({ content: text });
    const { answer, outcome } = await phrase(HELMET, extractive, extractive.passages, model, "vi");
    expect(outcome).toEqual({ source: "model" });
    expect(answer.body).toBe(text);
    expect(answer.answer).toBe(`${text}\n\n${extractive.basis}`);
    expect(answer.basis).toBe(extractive.basis);
    expect(answer.citations).toEqual(extractive.citations);
    expect(answer.abstained).toBe(false);
  });

  it("never lets an invented fine, article, document, quote or citation reach the user", async () => {
    const extractive = await answerQuestion(index, HELMET);
    const inventions: Array<[string, string]> = [
      ["number", "Bị phạt từ 4.000.000 đồng đến 6.000.000 đồng [1]."],
      ["number", "Bị phạt 6 triệu đồng [1]."],
      ["number", "Bị phạt năm triệu đồng [1]."],
      ["reference", "Bị phạt từ 400.000 đến 600.000 đồng theo Điều 9 [1]."],
      ["reference", "Bị phạt từ 400.000 đến 600.000 đồng theo khoản 3 Điều 7 [1]."],
      ["document", "Bị phạt từ 400.000 đến 600.000 đồng theo Nghị định 100/2019/NĐ-CP [1]."],
      ["quote", "Luật ghi “phạt gấp đôi với học sinh” [1]."],
      ["unknown-citation", "Bị phạt từ 400.000 đến 600.000 đồng [9]."],
      ["no-citation", "Bị phạt từ 400.000 đến 600.000 đồng."],
      ["no-citation", "Tôi không biết."],
    ];
    for (const [reason, content] of inventions) {
      server.script({ content });
      const { answer, outcome } = await phrase(HELMET, extractive, extractive.passages, model, "vi");
      expect(outcome, content).toMatchObject({ source: "extractive", reason });
      expect(answer, content).toBe(extractive);
    }
  });

  it("sometimes invents: over many answers, only the grounded ones are ever shown", async () => {
    const faithful = [
      "Bị phạt từ 400.000 đồng đến 600.000 đồng [1].",
      "Phạt 400 nghìn đến 600 nghìn đồng theo Điều 7 [1].",
    ];
    const invented = [
      "Bị phạt từ 4.000.000 đồng đến 6.000.000 đồng [1].",
      "Phạt 2 triệu đồng theo Điều 12 [1].",
      "Phạt từ 400.000 đến 600.000 đồng theo Điều 7 [1] và tước bằng 3 tháng [1].",
      "Phạt từ 400.000 đến 600.000 đồng [1][2].",
    ];
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const extractive = await answerQuestion(index, HELMET);
    let shown = 0;
    for (let i = 0; i < 40; i++) {
      const pool = random() < 0.5 ? faithful : invented;
      const content = pool[Math.floor(random() * pool.length)] as string;
      server.script({ content });
      const { answer } = await phrase(HELMET, extractive, extractive.passages, model, "vi");
      if (pool === faithful) {
        expect(answer.body).toBe(content);
        shown += 1;
      } else expect(answer).toBe(extractive);
    }
    expect(shown).toBeGreaterThan(0);
  });

  it("checks phone numbers and quoted phrases against the passage", async () => {
    const extractive = await answerQuestion(index, FIRE);
    expect(extractive.abstained).toBe(false);
    server.script(
      { content: "Gọi 114 để báo cháy; cần gặp “cán bộ trực an ninh trường học” thì gọi 0243.826.1234 [1]." },
      { content: "Gọi 114 để báo cháy, hoặc 0243 826 9999 [1]." },
      { content: "Gọi 114 và gặp “cán bộ trực ban” [1]." },
    );
    const ok = await phrase(FIRE, extractive, extractive.passages, model, "vi");
    expect(ok.outcome).toEqual({ source: "model" });
    const phone = await phrase(FIRE, extractive, extractive.passages, model, "vi");
    expect(phone.outcome).toMatchObject({ reason: "phone" });
    const quote = await phrase(FIRE, extractive, extractive.passages, model, "vi");
    expect(quote.outcome).toMatchObject({ reason: "quote" });
  });

  it("falls back on a server error, and after a 429 retries once as retry-after says", async () => {
    const extractive = await answerQuestion(index, HELMET);
    server.script({ status: 500 }, { status: 500 });
    const failed = await phrase(HELMET, extractive, extractive.passages, model, "vi");
    expect(failed.outcome).toMatchObject({ source: "extractive", reason: "http" });
    expect(failed.answer).toBe(extractive);

    const before = server.requests.length;
    server.script({ status: 429, retryAfter: "0" }, { content: "Bị phạt từ 400.000 đến 600.000 đồng [1]." });
    const retried = await phrase(HELMET, extractive, extractive.passages, model, "vi");
    expect(retried.outcome).toEqual({ source: "model" });
    expect(server.requests.length - before).toBe(2);

    // A retry-after longer than the time budget is not waited for.
    server.script({ status: 429, retryAfter: "30" });
    const late = await phrase(HELMET, extractive, extractive.passages, model, "vi");
    expect(late.outcome).toMatchObject({ reason: "http" });
    server.script({ status: 400 });
    const refused = await phrase(HELMET, extractive, extractive.passages, model, "vi");
    expect(refused.outcome).toMatchObject({ reason: "http" });
  });

  it("falls back when the model does not answer in time, or answers nonsense", async () => {
    const extractive = await answerQuestion(index, HELMET);
    server.script({ hang: true });
    const slow = await phrase(HELMET, extractive, extractive.passages, model, "vi");
    expect(slow.outcome).toMatchObject({ source: "extractive", reason: "timeout" });
    expect(slow.answer).toBe(extractive);
    await server.abandoned();

    server.script({ content: "" });
    const empty = await phrase(HELMET, extractive, extractive.passages, model, "vi");
    expect(empty.outcome).toMatchObject({ reason: "response" });

    const down = {
      ...model,
      client: new OpenAIChatClient({ baseURL: "http://127.0.0.1:9/v1", model: "none", timeoutMs: 300 }),
    };
    const unreachable = await phrase(HELMET, extractive, extractive.passages, down, "vi");
    expect(unreachable.outcome).toMatchObject({ source: "extractive" });
    expect(unreachable.answer).toBe(extractive);
  });

  it("never sends an abstention to the model", async () => {
    const before = server.requests.length;
    const off = await answerQuestion(index, "Thời tiết Hà Nội ngày mai có mưa không?");
    expect(off.abstained).toBe(true);
    const { answer, outcome } = await phrase(
      "Thời tiết Hà Nội ngày mai có mưa không?",
      off,
      off.passages,
      model,
      "vi",
    );
    expect(answer).toBe(off);
    expect(outcome).toMatchObject({ reason: "abstained" });
    expect(server.requests.length).toBe(before);
  });

  it("asks in English for an English chat, and checks the English forms too", async () => {
    const extractive = await answerQuestion(index, HELMET, undefined, "en");
    server.script(
      { content: "Yes: a fine of 400,000 to 600,000 dong under Article 7 of Decree 168/2024/NĐ-CP [1]." },
      { content: "A fine of 4 million dong under Article 7 [1]." },
    );
    const ok = await phrase(HELMET, extractive, extractive.passages, model, "en");
    expect(server.requests.at(-1)?.body.messages[0]?.content).toMatch(/in English/);
    expect(ok.outcome).toEqual({ source: "model" });
    const bad = await phrase(HELMET, extractive, extractive.passages, model, "en");
    expect(bad.outcome).toMatchObject({ reason: "number" });
  });

  it("sends the API key as a bearer token, and keeps it out of errors", async () => {
    const client = new OpenAIChatClient({
      baseURL: server.baseURL,
      model: "m",
      apiKey: "sk-secret",
      timeoutMs: 300,
    });
    server.script({ content: "ok" });
    await expect(client.complete([{ role: "user", content: "hi" }])).resolves.toBe("ok");
    expect(server.requests.at(-1)?.authorization).toBe("Bearer sk-secret");
    server.script({ status: 503, retryAfter: "0" }, { status: 503, retryAfter: "0" });
    const err = await client.complete([{ role: "user", content: "hi" }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChatModelError);
    expect(err).toMatchObject({ name: "ChatModelError", failure: "http", status: 503 });
    expect(String((err as Error).message)).not.toContain("sk-secret");
  });
});

describe("the checker on Vietnamese number formats", () => {
  const values = (text: string) => factsOf(text).numbers.flatMap((n) => n.values);
  it("reads one amount in every form", () => {
    for (const form of [
      "4.000.000 đồng",
      "4000000 đồng",
      "4 triệu đồng",
      "4,000,000 VND",
      "4 000 000 đồng",
      "bốn triệu đồng",
      "4 million dong",
      "4tr",
    ])
      expect(values(form), form).toContain("4000000");
    expect(values("1,5 triệu")).toEqual(["1500000"]);
    expect(values("1.5 million")).toEqual(["1500000"]);
    expect(values("hai trăm nghìn đồng")).toEqual(["200000"]);
    expect(values("mười lăm tuổi")).toEqual(["15"]);
    expect(values("hai mươi lăm phần trăm")).toEqual(["25"]);
    expect(values("50% học sinh")).toEqual(["50"]);
    expect(values("trẻ em dưới 06 tuổi")).toEqual(["6"]);
    // "4 đến 6 triệu": the 4 may mean 4 000 000.
    expect(factsOf("từ 4 đến 6 triệu đồng").numbers.map((n) => n.values)).toEqual([
      ["4", "4000000"],
      ["6000000"],
    ]);
  });

  it("does not take words for numbers", () => {
    expect(values("Hằng năm nhà trường tư vấn cho ba mẹ học sinh; một số em")).toEqual([]);
    expect(values("ba năm")).toEqual(["3"]);
    expect(values("năm 2024")).toEqual(["2024"]);
  });

  it("keeps references, documents, dates and phones apart from plain numbers", () => {
    const f = factsOf(
      "Theo điểm a, b khoản 2 Điều 7 Nghị định 168/2024/NĐ-CP, từ ngày 01/7/2026, gọi 0912 345 678 hoặc 111 [1].",
    );
    expect(f.references.map((r) => r.key)).toEqual(["diem a", "diem b", "khoan 2", "dieu 7"]);
    expect(f.documents.map((d) => d.key)).toEqual(["168/2024/ND-CP"]);
    expect(f.dates.map((d) => d.key)).toEqual(["1/7/2026"]);
    expect(f.phones.map((p) => p.digits)).toEqual(["0912345678"]);
    expect(f.numbers.map((n) => n.values)).toEqual([["111"]]);
    expect(factsOf("Article 7, clause 2, point a").references.map((r) => r.key)).toEqual([
      "dieu 7",
      "khoan 2",
      "diem a",
    ]);
    expect(factsOf("ngày 01 tháng 7 năm 2026").dates.map((d) => d.key)).toEqual(["1/7/2026"]);
    // Words that merely start like a reference are none.
    expect(factsOf("điều kiện, mục đích, điểm danh").references).toEqual([]);
  });

  const source: NumberedPassage = {
    n: 1,
    header: "Điều 7 — Nghị định 168/2024/NĐ-CP",
    text: "1. Phạt tiền từ 4.000.000 đồng đến 6.000.000 đồng đối với hành vi sau đây:\na) Không đội mũ bảo hiểm cho người ngồi sau, kể cả trẻ em từ đủ 06 tuổi trở lên;\nb) Chở quá số người quy định.\nHiệu lực từ ngày 01 tháng 01 năm 2025.",
  };
  const check = (text: string) => checkGrounded(text, [source]).map((p) => p.kind);

  it("accepts the same facts written differently", () => {
    expect(check("Phạt 4 triệu đến 6 triệu đồng [1].")).toEqual([]);
    expect(check("Phạt từ 4 đến 6 triệu đồng [1].")).toEqual([]);
    expect(check("Phạt bốn triệu đến sáu triệu đồng theo điểm a khoản 1 Điều 7 [1].")).toEqual([]);
    expect(check("Trẻ từ 6 tuổi phải đội mũ, từ 1/1/2025 [1].")).toEqual([]);
    expect(check("Theo Nghị định 168/2024/ND-CP [1], phạt 4.000.000 đồng.")).toEqual([]);
  });

  it("rejects what the passage does not say", () => {
    expect(check("Phạt 5 triệu đồng [1].")).toEqual(["number"]);
    expect(check("Phạt 4 đến 6 triệu đồng, trẻ từ 12 tuổi [1].")).toEqual(["number"]);
    expect(check("Phạt 4 triệu theo điểm c khoản 1 Điều 7 [1].")).toEqual(["reference"]);
    expect(check("Phạt 4 triệu theo khoản 1 Điều 8 [1].")).toEqual(["reference"]);
    expect(check("Phạt 4 triệu theo Nghị định 100/2019/NĐ-CP [1].")).toEqual(["document"]);
    expect(check("Hiệu lực từ 01/02/2025 [1].")).toEqual(["date"]);
    expect(check("Phạt 4 triệu [2].")).toEqual(["unknown-citation"]);
    expect(check("Phạt 4 triệu.")).toEqual(["no-citation"]);
  });

  it("compares quoted phrases word for word, diacritics included", () => {
    expect(check("Luật ghi “không đội mũ bảo hiểm cho người ngồi sau” [1].")).toEqual([]);
    // Old-style tone placement and spacing do not matter; a changed tone does.
    expect(check('Luật ghi "Chở  quá số người quy định" [1].')).toEqual([]);
    expect(check("Luật ghi “không đội mũ bảo hiểm cho người ngồi trước” [1].")).toEqual(["quote"]);
    expect(check("Luật ghi “chờ quá số người” [1].")).toEqual(["quote"]);
    // Typed without diacritics, a quote is compared folded.
    expect(check('Luat ghi "cho qua so nguoi quy dinh" [1].')).toEqual([]);
  });

  it("rejects an article the basis line does not name", () => {
    const other: NumberedPassage = {
      ...source,
      header: "Nghị định 168/2024/NĐ-CP",
      text: `${source.text}\nXem thêm Điều 9.`,
    };
    expect(
      checkGrounded(
        "Theo Điều 9 [1], phạt 4 triệu.",
        [other],
        "Căn cứ: [1] Điều 7 Nghị định 168/2024/NĐ-CP",
      ).map((p) => p.kind),
    ).toEqual(["reference"]);
    expect(
      checkGrounded(
        "Theo Điều 7 [1], phạt 4 triệu.",
        [source],
        "Căn cứ: [1] Điều 7 Nghị định 168/2024/NĐ-CP",
      ),
    ).toEqual([]);
  });
});

describe("LLM configuration", () => {
  it("is off by default, and needs base URL and model together", () => {
    expect(parseConfig({}).knowledge.llm).toBeUndefined();
    expect(
      parseConfig({ LLM_BASE_URL: "http://127.0.0.1:11434/v1", LLM_MODEL: "qwen2.5:7b" }).knowledge.llm,
    ).toEqual({ baseURL: "http://127.0.0.1:11434/v1", model: "qwen2.5:7b", timeoutMs: 8000 });
    expect(
      parseConfig({
        LLM_BASE_URL: "https://api.example/v1",
        LLM_MODEL: "m",
        LLM_API_KEY: "k",
        LLM_TIMEOUT_MS: "2000",
      }).knowledge.llm,
    ).toEqual({ baseURL: "https://api.example/v1", model: "m", apiKey: "k", timeoutMs: 2000 });
    expect(() => parseConfig({ LLM_BASE_URL: "http://127.0.0.1:11434/v1" })).toThrow(/LLM_MODEL/);
    expect(() => parseConfig({ LLM_MODEL: "m" })).toThrow(/LLM_BASE_URL/);
    expect(() => parseConfig({ LLM_BASE_URL: "ftp://x", LLM_MODEL: "m" })).toThrow(/LLM_BASE_URL/);
    expect(() => parseConfig({ LLM_API_KEY: "k" })).toThrow(/LLM_API_KEY/);
    expect(() => parseConfig({ LLM_BASE_URL: "http://h/v1", LLM_MODEL: "m", LLM_TIMEOUT_MS: "0" })).toThrow(
      /LLM_TIMEOUT_MS/,
    );
  });
});

import { accentKey, foldKey, hasDiacritics, words } from "../../text/normalize.js";

/**
 * A thing a question can be about, as parents and teachers name it, and the words a passage
 * must contain to be about it too. The dictionary is the concept test of "right or silent":
 * a passage that shares a question's common words but names none of the `evidence` of one of
 * its concepts answers another question (e-cigarettes are not drugs, a flood drill is not a
 * fire drill, a canteen is not "ngộ độc ở trường").
 */
export interface Concept {
  /** Stable name, used in tests and in a follow-up's topic. */
  readonly id: string;
  /** How a question says it (matched without diacritics, longest first). */
  readonly forms: readonly string[];
  /**
   * What a passage must contain (any one, matched with its diacritics) to be about it.
   * Defaults to `forms`. The law's own names go here: "xe máy điện" is a "xe gắn máy" or a
   * "xe mô tô" in Luật 36/2024/QH15, "trường học" a "cơ sở giáo dục".
   */
  readonly evidence?: readonly string[];
  /**
   * Words of a passage that say exactly what the question's form says ("bất tỉnh" for "ngất
   * xỉu", "%" for "phần trăm"): a passage naming one is credited with the question's words when
   * its coverage is judged (see `conceptCredit`). Default none: `evidence` is often broader
   * ("dịch bệnh" for "tay chân miệng") and credits nothing.
   */
  readonly synonyms?: readonly string[];
  /**
   * Words added to the question before retrieval, so that the law's terms are searched for
   * too. Default none.
   */
  readonly expand?: readonly string[];
  /**
   * Whether a passage must show it. Generic places and people ("trường học") only help
   * retrieval. Default true.
   */
  readonly required?: boolean;
  /**
   * Concepts of one kind replace each other in a follow-up ("còn xe đạp điện thì sao?" after a
   * question about xe máy điện keeps the rest of the topic).
   */
  readonly kind?: "vehicle" | "place" | "actor" | "topic";
}

/** The school-safety concepts. A form of one syllable is avoided: folded, it is ambiguous. */
export const CONCEPTS: readonly Concept[] = [
  // Vehicles: the law names them differently from people.
  {
    id: "xe-may-dien",
    forms: ["xe máy điện", "xe điện", "xe mô tô điện", "xe gắn máy điện"],
    evidence: ["xe máy điện", "xe gắn máy", "xe mô tô", "động cơ điện"],
    expand: ["xe gắn máy", "xe mô tô"],
    kind: "vehicle",
  },
  {
    id: "xe-dap-dien",
    forms: ["xe đạp điện", "xe đạp máy"],
    evidence: ["xe đạp điện", "xe đạp máy"],
    expand: ["xe đạp máy"],
    kind: "vehicle",
  },
  {
    id: "xe-may",
    forms: ["xe máy", "xe mô tô", "xe gắn máy", "mô tô"],
    evidence: ["xe máy", "xe mô tô", "xe gắn máy"],
    expand: ["xe mô tô", "xe gắn máy"],
    kind: "vehicle",
  },
  { id: "xe-dap", forms: ["xe đạp"], kind: "vehicle" },
  { id: "o-to", forms: ["ô tô", "xe hơi", "xe ô tô"], evidence: ["ô tô"], kind: "vehicle" },
  { id: "mu-bao-hiem", forms: ["mũ bảo hiểm", "nón bảo hiểm"], evidence: ["mũ bảo hiểm"], kind: "topic" },
  // Who and where a question is about, when it names them as the actor or the place: a rule for
  // children (Luật Trẻ em: "không … sử dụng rượu, bia") or for a driving-test centre ("lắp
  // camera giám sát phòng sát hạch") does not answer what a teacher or a classroom may do.
  {
    id: "giao-vien",
    forms: ["giáo viên", "thầy giáo", "cô giáo", "thầy cô", "nhà giáo", "giáo viên chủ nhiệm"],
    evidence: ["giáo viên", "nhà giáo", "thầy giáo", "cô giáo", "thầy cô", "cán bộ quản lý"],
    kind: "actor",
  },
  {
    id: "cha-me-hoc-sinh",
    forms: ["ban đại diện cha mẹ học sinh", "ban đại diện cha mẹ", "hội phụ huynh", "hội cha mẹ học sinh"],
    evidence: ["ban đại diện cha mẹ", "hội phụ huynh", "cha mẹ học sinh"],
    kind: "actor",
  },
  {
    id: "lop-hoc",
    forms: ["trong lớp", "vào lớp", "lớp học", "phòng học", "lớp mình"],
    evidence: ["lớp học", "phòng học", "trong lớp", "giờ học", "học sinh", "người học"],
    kind: "place",
  },
  // How many pupils a class may have: no text of the corpus says it ("800 học sinh" of a school
  // is not a class size).
  {
    id: "si-so",
    forms: ["sĩ số", "số học sinh một lớp", "số học sinh mỗi lớp"],
    evidence: ["sĩ số"],
    kind: "topic",
  },
  // Places and people: retrieval only.
  {
    id: "truong-hoc",
    forms: ["trường học", "nhà trường"],
    expand: ["cơ sở giáo dục"],
    required: false,
    kind: "place",
  },
  // Topics a school asks about; several are not in the corpus, and must not be guessed.
  {
    id: "thuoc-la-dien-tu",
    forms: ["thuốc lá điện tử", "thuốc lá nung nóng", "vape", "pod"],
    evidence: ["thuốc lá điện tử", "thuốc lá nung nóng"],
    kind: "topic",
  },
  { id: "thuoc-la", forms: ["thuốc lá", "hút thuốc"], evidence: ["thuốc lá"], kind: "topic" },
  {
    id: "ruou-bia",
    forms: ["rượu bia", "uống rượu", "đồ uống có cồn", "nồng độ cồn", "say rượu"],
    evidence: ["rượu", "cồn"],
    kind: "topic",
  },
  {
    id: "lu-lut",
    forms: ["lũ lụt", "bão lũ", "mưa lũ", "lũ quét", "chống lũ", "ngập lụt", "lũ lớn", "mùa lũ"],
    evidence: ["lũ", "lụt"],
    kind: "topic",
  },
  {
    id: "thien-tai",
    forms: ["thiên tai", "động đất", "sạt lở", "lốc xoáy", "mưa bão", "cơn bão", "sóng thần"],
    kind: "topic",
  },
  {
    id: "chay",
    forms: ["báo cháy", "cháy nổ", "đám cháy", "chữa cháy", "cứu hỏa", "hỏa hoạn", "phòng cháy", "bị cháy"],
    evidence: ["cháy", "hỏa hoạn"],
    kind: "topic",
  },
  { id: "dien-tap", forms: ["diễn tập", "tập huấn thoát hiểm"], evidence: ["diễn tập"], kind: "topic" },
  {
    id: "ngo-doc-thuc-pham",
    forms: ["ngộ độc thực phẩm", "ngộ độc thức ăn", "ngộ độc do ăn"],
    evidence: ["ngộ độc thực phẩm"],
    kind: "topic",
  },
  {
    id: "an-toan-thuc-pham",
    forms: ["an toàn thực phẩm", "vệ sinh thực phẩm", "thực phẩm bẩn"],
    evidence: ["thực phẩm"],
    kind: "topic",
  },
  {
    id: "cang-tin",
    forms: ["căng tin", "căng-tin", "canteen", "bếp ăn", "nhà ăn", "bữa ăn bán trú"],
    evidence: ["căng tin", "bếp ăn", "nhà ăn"],
    kind: "place",
  },
  { id: "duoi-nuoc", forms: ["đuối nước", "chết đuối", "học bơi", "bể bơi"], evidence: ["đuối nước", "bơi"] },
  {
    id: "xam-hai-tinh-duc",
    forms: ["xâm hại tình dục", "quấy rối tình dục", "dâm ô", "hiếp dâm"],
    evidence: ["xâm hại tình dục", "quấy rối", "dâm ô", "hiếp dâm", "xâm hại"],
  },
  {
    id: "bat-nat",
    forms: ["bạo lực học đường", "bắt nạt", "đánh hội đồng"],
    evidence: ["bạo lực học đường", "bắt nạt", "bạo lực"],
  },
  { id: "bat-coc", forms: ["bắt cóc", "dụ dỗ trẻ"], evidence: ["bắt cóc", "dụ dỗ", "mua bán người"] },
  {
    id: "lua-dao-mang",
    forms: ["lừa đảo qua mạng", "lừa đảo trực tuyến", "lừa đảo online", "lừa đảo"],
    evidence: ["lừa đảo", "chiếm đoạt"],
  },
  {
    id: "ma-tuy",
    forms: ["ma túy", "ma tuý", "thuốc lắc", "cần sa", "chất gây nghiện"],
    evidence: ["ma túy", "ma tuý", "chất gây nghiện", "cần sa"],
  },
  {
    id: "dich-benh",
    forms: ["sốt xuất huyết", "dịch bệnh", "tay chân miệng", "bệnh cúm", "covid"],
    evidence: ["dịch bệnh", "sốt xuất huyết", "tay chân miệng", "cúm", "covid"],
  },
  {
    id: "bat-tinh",
    forms: ["ngất xỉu", "bất tỉnh", "ngất lịm", "ngã xỉu"],
    evidence: ["ngất", "bất tỉnh"],
    synonyms: ["ngất", "bất tỉnh"],
    kind: "topic",
  },
  // Ways of asking for a quantity: the law writes "70% trở lên" where a parent asks "ít nhất bao
  // nhiêu phần trăm". They only credit a passage that says it the law's way (see `conceptCredit`).
  { id: "phan-tram", forms: ["phần trăm"], synonyms: ["%", "phần trăm"], required: false },
  {
    id: "it-nhat",
    forms: ["ít nhất", "tối thiểu"],
    synonyms: ["trở lên", "tối thiểu", "ít nhất"],
    required: false,
  },
  { id: "dien-giat", forms: ["điện giật", "giật điện"], evidence: ["điện giật"] },
  { id: "phao", forms: ["pháo nổ", "pháo hoa", "đốt pháo", "pháo tự chế"], evidence: ["pháo"] },
  {
    id: "hung-khi",
    forms: ["hung khí", "vũ khí", "mang dao", "dao găm"],
    evidence: ["hung khí", "vũ khí", "dao"],
  },
  {
    id: "game",
    forms: ["game online", "trò chơi điện tử", "chơi game", "nghiện game"],
    evidence: ["trò chơi điện tử", "game"],
  },
  { id: "hoc-phi", forms: ["học phí", "tiền học"], evidence: ["học phí"] },
  {
    id: "khoan-thu",
    forms: [
      "thu tiền",
      "thu quỹ",
      "quỹ lớp",
      "quỹ phụ huynh",
      "khoản thu",
      "đóng góp tiền",
      "vận động tài trợ",
    ],
    evidence: ["khoản thu", "thu tiền", "quỹ", "kinh phí", "đóng góp", "tài trợ", "học phí"],
  },
  {
    id: "luong",
    forms: ["tiền lương", "mức lương", "lương giáo viên", "bảng lương", "phụ cấp"],
    evidence: ["lương", "phụ cấp"],
  },
  { id: "camera", forms: ["camera", "máy quay"], evidence: ["camera", "giám sát"] },
  { id: "thang-may", forms: ["thang máy"], evidence: ["thang máy"] },
  {
    id: "say-nang",
    forms: ["say nắng", "nắng nóng", "sốc nhiệt"],
    evidence: ["say nắng", "nắng nóng", "sốc nhiệt"],
  },
  { id: "dong-phuc", forms: ["đồng phục"], evidence: ["đồng phục"] },
  {
    id: "dien-thoai-lop",
    forms: ["dùng điện thoại trong lớp", "điện thoại trong giờ học", "điện thoại di động trong lớp"],
    // Using a phone, not a phone number ("số điện thoại" is in every hotline passage).
    evidence: ["sử dụng điện thoại", "dùng điện thoại", "điện thoại di động", "thiết bị di động"],
  },
];

/** Keys of a text's words, without diacritics, joined by single spaces and padded. */
const foldedLine = (text: string) => ` ${words(text).map(foldKey).join(" ")} `;
const accentedLine = (text: string) => ` ${words(text).map(accentKey).join(" ")} `;

interface Form {
  readonly folded: readonly string[];
  readonly accented: readonly string[];
  /** Length of the form's folded line, the order forms are tried in (longest first). */
  readonly length: number;
}

interface Compiled {
  readonly concept: Concept;
  readonly forms: readonly Form[];
}

const formOf = (text: string): Form => {
  const ws = words(text);
  return { folded: ws.map(foldKey), accented: ws.map(accentKey), length: foldedLine(text).length };
};

const COMPILED: readonly Compiled[] = CONCEPTS.map((concept) => ({
  concept,
  forms: concept.forms.map(formOf),
}));

const FORMS = COMPILED.flatMap((c) => c.forms.map((form) => ({ c, form }))).sort(
  (a, b) => b.form.length - a.form.length,
);

/** A concept named in a text, with the words that named it. */
export interface FoundConcept {
  readonly concept: Concept;
  /** The folded words that named it ("xe may dien"). */
  readonly said: string;
  /** Those words as the text wrote them. */
  readonly written: string;
}

/**
 * The concepts a text names, longest form first, each word used by one concept only
 * ("thuốc lá điện tử" is not also "thuốc lá"; "xe máy điện" not also "xe máy"). A word typed
 * with diacritics must have the form's ("tháng mấy" is not "thang máy"); a word typed without
 * them matches any ("thang may" may be either).
 */
export function findConcepts(text: string): FoundConcept[] {
  const ws = words(text);
  const folded = ws.map(foldKey);
  const accented = ws.map(accentKey);
  const plain = ws.map((w) => !hasDiacritics(w));
  const used = ws.map(() => false);
  const found: Array<FoundConcept & { at: number }> = [];
  for (const { c, form } of FORMS) {
    const n = form.folded.length;
    for (let at = 0; at + n <= ws.length; at++) {
      const match = form.folded.every(
        (f, j) =>
          !used[at + j] && folded[at + j] === f && (plain[at + j] || accented[at + j] === form.accented[j]),
      );
      if (!match) continue;
      if (!found.some((f) => f.concept.id === c.concept.id))
        found.push({
          concept: c.concept,
          said: form.folded.join(" "),
          written: ws.slice(at, at + n).join(" "),
          at,
        });
      // The words are used up, so that a shorter form inside them is not found again.
      for (let j = 0; j < n; j++) used[at + j] = true;
      break;
    }
  }
  return found.sort((a, b) => a.at - b.at).map(({ at: _, ...f }) => f);
}

/** Whether a text holds one of `terms`: words compared with diacritics, signs ("%") as written. */
export function holds(terms: readonly string[], text: string): boolean {
  let keys = KEYS.get(terms);
  if (!keys) {
    keys = terms.map((t) => ({ key: accentedLine(t), sign: t.trim() }));
    KEYS.set(terms, keys);
  }
  const line = accentedLine(text);
  return keys.some(({ key, sign }) => (key.trim() ? line.includes(key) : text.includes(sign)));
}

const KEYS = new WeakMap<readonly string[], Array<{ key: string; sign: string }>>();

/** Whether a passage names a concept, by one of its `evidence` words (with diacritics). */
export function mentions(concept: Concept, passage: string): boolean {
  return holds(concept.evidence ?? concept.forms, passage);
}

/**
 * The question's words for the concepts a passage says in the law's words (`synonyms`), to add
 * to the passage before judging how much of the question it covers: a passage saying "bất tỉnh"
 * or "70% trở lên" answers "ngất xỉu" or "ít nhất bao nhiêu phần trăm" as well as if it used
 * the question's words. Empty when there is nothing to credit.
 */
export function conceptCredit(question: string, passage: string): string {
  return findConcepts(question)
    .filter((f) => f.concept.synonyms && holds(f.concept.synonyms, passage))
    .map((f) => f.written)
    .join(" ; ");
}

/** The required concepts of a question that a passage does not name (empty when it answers). */
export function missingConcepts(question: string, passage: string): Concept[] {
  return findConcepts(question)
    .map((f) => f.concept)
    .filter((c) => c.required !== false && !mentions(c, passage));
}

const isTopic = (c: Concept) => c.required !== false && (c.kind === undefined || c.kind === "topic");

/**
 * Whether a passage headed by another topic only mentions the question's in passing: its
 * heading names a topic the question does not ("… dùng ma túy") while a topic of the question
 * ("thuốc lá điện tử") is not in the heading. Such a passage answers its own topic.
 */
export function offTopic(question: string, heading: string): boolean {
  const asked = findConcepts(question)
    .map((f) => f.concept)
    .filter(isTopic);
  if (asked.length === 0) return false;
  const headed = findConcepts(heading)
    .map((f) => f.concept)
    .filter(isTopic);
  const foreign = headed.some((h) => !asked.some((a) => a.id === h.id));
  return foreign && asked.some((a) => !mentions(a, heading));
}

/** The question followed by the law's names for its concepts, for retrieval. */
export function expandConcepts(question: string): string {
  const extra = findConcepts(question).flatMap((f) => f.concept.expand ?? []);
  return extra.length > 0 ? `${question} ${extra.join(" ")}` : question;
}

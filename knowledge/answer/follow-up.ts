import { accentKey, foldKey, hasDiacritics, normalizeText } from "../../text/normalize.js";
import { findConcepts } from "../text/concepts.js";

/**
 * Follow-up questions ("còn xe đạp điện thì sao?" right after "Đi xe máy điện có phải đội mũ
 * bảo hiểm không?"): detected and expanded with the previous question's topic before retrieval,
 * so that the answer is to what the person meant.
 *
 * The topic kept between two questions (`topicOf`) is the previous question without what could
 * tell about the person: no ages or other numbers (a law's article and symbol, and the hotlines
 * 111–115, stay), no names or places (a capitalised word inside the question), no "con tôi",
 * "cháu", "em"… A name typed in lower case cannot be told from a word and stays: the topic lives
 * only in the chat's session, for a short time (see `TOPIC_TTL_MS` in the ask feature).
 *
 * Word lists are written without diacritics (compared folded, as users often type), so that
 * they are data the matcher reads, not text anyone is shown.
 */

/** A word of a question: as typed, folded ("xe dap"), and with its tone as a Telex letter. */
interface Token {
  readonly raw: string;
  readonly fold: string;
  readonly tone: string;
}

const EDGE = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;

function tokenize(text: string): Token[] {
  return normalizeText(text)
    .split(/\s+/)
    .map((w) => w.replace(EDGE, ""))
    .filter(Boolean)
    .map((raw) => {
      const lower = raw.toLocaleLowerCase("vi");
      return { raw, fold: foldKey(lower), tone: accentKey(lower) };
    });
}

const phrases = (list: readonly string[]) =>
  list.map((p) => p.split(" ")).sort((a, b) => b.length - a.length);

/** Whether the folded words of `phrase` are at `at`. */
const isAt = (toks: readonly Token[], at: number, phrase: readonly string[]) =>
  phrase.every((w, j) => toks[at + j]?.fold === w);

const matchAt = (toks: readonly Token[], at: number, list: readonly (readonly string[])[]) =>
  list.find((p) => isAt(toks, at, p));

/** "còn" as an accent key: without its tone mark it is "con", a child. */
const CON_WITH_TONE = "conf";

/** How a follow-up starts: "thế còn", "vậy còn", "còn", "nếu", "với", "đối với"… */
const LEADS = phrases([
  "the con",
  "vay con",
  "con neu",
  "the neu",
  "vay neu",
  "con voi",
  "con doi voi",
  "the con doi voi",
  "doi voi",
  "con",
  "neu",
  "voi",
]);
/** Leads that make a follow-up only with a tail ("nếu trời mưa thì sao?"). */
const NEEDS_TAIL = new Set(["neu", "voi", "doi voi"]);

/** How it ends: "thì sao", "thì thế nào", "thì như thế nào", "thì ra sao". */
const TAILS = phrases(["thi sao", "thi the nao", "thi nhu the nao", "thi ra sao"]);
/** Particles that end a question without adding to it: "ạ", "nhỉ", "vậy", "hả", "đây". */
const PARTICLES = new Set(["a", "nhi", "vay", "ha", "day", "the"]);

/** The person asking or their family, never kept in a topic (folded). */
const PERSON = phrases([
  "cho toi hoi",
  "cho em hoi",
  "cho minh hoi",
  "xin hoi",
  "con cua toi",
  "con toi",
  "con minh",
  "con em",
  "con gai",
  "con trai",
  "chau toi",
  "em toi",
  "be nha toi",
  "nha toi",
  "cua toi",
  "toi",
  "minh",
  "em",
  "chau",
  "be",
]);
/** After "con" without diacritics, words that make it "con" (a child), not "còn". */
const CHILD_NEXT = new Set(["toi", "minh", "em", "gai", "trai", "cua", "nha", "be", "chau"]);

/** Words naming a legal text or its part: the number after them is a reference, not a person's. */
const LEGAL = phrases([
  "dieu",
  "khoan",
  "diem",
  "luat",
  "bo luat",
  "thong tu",
  "nghi dinh",
  "chi thi",
  "quyet dinh",
  "nghi quyet",
  "ket luan",
]);
/** A legal symbol ("124/2021/TT-BCA"), or a hotline. */
const SYMBOL = /^\d+\/\d{4}\/[\p{L}\d-]+$/u;
const HOTLINE = /^11[1-5]$/;
const NUMBER = /^\d[\d.,/]*$/;
/** Words that go with a number and mean nothing without it ("15 tuổi", "lớp 9"). */
const UNIT_AFTER = new Set(["tuoi", "thang", "nam", "ngay", "gio", "phut", "km", "cm3", "kw", "cc"]);
const UNIT_BEFORE = new Set(["lop", "so", "khoi"]);
/** Words that introduce a name or a place: dropped with it ("ở Hà Nội", "tên Lan"). */
const INTRODUCES_NAME = new Set(["o", "tai", "ten", "ban", "anh", "chi", "co", "thay"]);
const ABBREVIATION = /^[\p{Lu}\d-]{2,}$/u;

/** Longest topic kept, in words. */
const MAX_TOPIC_WORDS = 25;

/**
 * The topic of a question, to keep until the next one: the question without the person (see
 * the module comment). Null when nothing worth keeping is left.
 */
export function topicOf(question: string): string | null {
  const toks = tokenize(question);
  const keep = toks.map(() => true);
  for (let i = 0; i < toks.length; i++) {
    const tok = toks[i] as Token;
    const person = matchAt(toks, i, PERSON);
    // "con" (a child) and "còn" fold alike: only the one without a tone mark is a person.
    if (person && !(person[0] === "con" && tok.tone === CON_WITH_TONE)) {
      for (let j = 0; j < person.length; j++) keep[i + j] = false;
      i += person.length - 1;
      continue;
    }
    const legal = matchAt(toks, i, LEGAL);
    if (legal) {
      i += legal.length - 1;
      // The article or text number right after stays.
      if (NUMBER.test(toks[i + 1]?.raw ?? "")) i++;
      continue;
    }
    if (SYMBOL.test(tok.raw) || HOTLINE.test(tok.raw)) continue;
    if (NUMBER.test(tok.raw)) {
      keep[i] = false;
      if (UNIT_AFTER.has(toks[i + 1]?.fold ?? "")) keep[i + 1] = false;
      if (UNIT_BEFORE.has(toks[i - 1]?.fold ?? "")) keep[i - 1] = false;
      continue;
    }
    // A capitalised word inside the question is a name or a place; abbreviations (ANTT) stay.
    if (i > 0 && /^\p{Lu}/u.test(tok.raw) && !ABBREVIATION.test(tok.raw)) {
      keep[i] = false;
      if (INTRODUCES_NAME.has(toks[i - 1]?.fold ?? "")) keep[i - 1] = false;
    }
  }
  const kept = toks.filter((_, i) => keep[i]).map((t) => t.raw);
  if (kept.length < 2) return null;
  return kept.slice(0, MAX_TOPIC_WORDS).join(" ");
}

/** Words that ask something: a piece with one of them brings its own question. */
const ASKS = phrases([
  "bao nhieu",
  "la gi",
  "khi nao",
  "o dau",
  "la ai",
  "gi",
  "nao",
  "sao",
  "ai",
  "dau",
  "may",
  "khong",
  "chua",
]);
/** The asking words of a topic, dropped when a follow-up asks its own question. */
const FRAME = phrases([
  "co phai",
  "bao nhieu",
  "la gi",
  "nhu the nao",
  "the nao",
  "ra sao",
  "khi nao",
  "o dau",
  "la ai",
  "co duoc",
  "nhung gi",
  "gom",
]);
const FRAME_END = new Set(["khong", "chua", "gi", "nao", "sao", "ai"]);
/** Verbs: a very short question with one of them is a question of its own (folded). */
const VERBS = new Set(["di", "doi", "phat", "bi", "duoc", "lam", "co", "la", "phai", "can", "goi", "lai"]);
/** A very short follow-up has at most this many words ("xe đạp điện?"). */
const BARE_WORDS = 4;
/** A follow-up with a marker has at most this many words. */
const MARKED_WORDS = 12;

export interface FollowUp {
  /** The question to answer: the follow-up expanded with the topic, or the question as typed. */
  readonly question: string;
  /** Whether it was read as a follow-up of `topic`. */
  readonly followUp: boolean;
}

const words = (toks: readonly Token[]) => toks.map((t) => t.raw).join(" ");

/** The topic without its asking words ("đi xe máy điện có phải đội mũ bảo hiểm không" → "đi xe máy điện đội mũ bảo hiểm"). */
function core(toks: readonly Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < toks.length; i++) {
    const frame = matchAt(toks, i, FRAME);
    if (frame) {
      i += frame.length - 1;
      continue;
    }
    out.push(toks[i] as Token);
  }
  while (out.length > 0 && FRAME_END.has(out.at(-1)?.fold ?? "")) out.pop();
  return out;
}

const asks = (toks: readonly Token[]) => toks.some((_, i) => matchAt(toks, i, ASKS));

/** Where a concept's folded words are in the tokens, as [start, end). */
function spanOf(toks: readonly Token[], said: string): [number, number] | null {
  const phrase = said.split(" ");
  for (let i = 0; i < toks.length; i++) if (isAt(toks, i, phrase)) return [i, i + phrase.length];
  return null;
}

const kindOf = (k: string | undefined) => k ?? "topic";

/**
 * The follow-up's piece put into the topic: a vehicle, place or topic of the kind the topic
 * already names takes its place ("xe máy điện" → "xe đạp điện"); what is left of the piece
 * asks its own question about the topic ("phạt bao nhiêu") or narrows it ("16 tuổi").
 */
function expand(piece: readonly Token[], topic: readonly Token[]): string {
  let base = [...topic];
  const rest = [...piece];
  const inTopic = findConcepts(words(topic));
  const accented = hasDiacritics(words(topic));
  for (const found of findConcepts(words(piece))) {
    const by = spanOf(rest, found.said);
    if (!by) continue;
    // Named again: already in the topic.
    if (inTopic.some((t) => t.concept.id === found.concept.id)) {
      rest.splice(by[0], by[1] - by[0]);
      continue;
    }
    const same = inTopic.find(
      (t) => kindOf(t.concept.kind) === kindOf(found.concept.kind) && t.concept.id !== found.concept.id,
    );
    const from = same && spanOf(base, same.said);
    if (!from) continue;
    // In a topic with diacritics, the dictionary's spelling of what was named ("xe dap dien"
    // reads "xe đạp điện"); a topic typed without them stays so.
    const form = accented
      ? found.concept.forms.find(
          (f) =>
            tokenize(f)
              .map((t) => t.fold)
              .join(" ") === found.said,
        )
      : undefined;
    const named = form ? tokenize(form) : rest.slice(by[0], by[1]);
    base = [...base.slice(0, from[0]), ...named, ...base.slice(from[1])];
    rest.splice(by[0], by[1] - by[0]);
  }
  if (rest.length === 0) return words(base);
  if (asks(rest)) return `${words(core(base))} ${words(rest)}`;
  return `${words(rest)} ${words(base)}`;
}

/**
 * Reads a question against the previous question's topic (from `topicOf`; none in a new chat or
 * after a while). A follow-up is short and starts with or contains "còn … thì sao", "thế còn",
 * "vậy còn", "nếu … thì sao", "với … thì sao", "còn … thì …", or is very short with no verb of
 * its own and names what the topic names a kind of ("xe đạp điện?", "16 tuổi?"). It is
 * expanded with the topic; anything else is a question of its own, returned as typed.
 */
export function followUp(question: string, topic: string | null | undefined): FollowUp {
  const asTyped = { question, followUp: false };
  if (!topic) return asTyped;
  let toks = tokenize(question);
  while (toks.length > 1 && PARTICLES.has(toks.at(-1)?.fold ?? "")) toks = toks.slice(0, -1);
  if (toks.length === 0 || toks.length > MARKED_WORDS) return asTyped;
  const topicToks = tokenize(topic);
  const accented = hasDiacritics(question);

  let lead = matchAt(toks, 0, LEADS);
  // "con" is "còn" only with its tone. Typed without diacritics it may be a child or "con dao"
  // (a knife): then it needs "thì" after it, and no person word right after.
  if (lead?.[0] === "con") {
    const first = toks[0] as Token;
    const isCon = accented
      ? first.tone === CON_WITH_TONE
      : !CHILD_NEXT.has(toks[1]?.fold ?? "") && toks.some((t) => t.fold === "thi");
    if (!isCon) lead = undefined;
  }
  const tail = TAILS.find((p) => p.length < toks.length && isAt(toks, toks.length - p.length, p));
  const start = lead?.length ?? 0;
  let piece = toks.slice(start, toks.length - (tail?.length ?? 0));
  if (piece.length === 0) return asTyped;

  let marked = false;
  if (lead && (tail || !NEEDS_TAIL.has(lead.join(" ")))) {
    marked = true;
    // "còn xe đạp điện thì phạt bao nhiêu": the "thì" only joins the two halves.
    const thi = piece.findIndex((t) => t.fold === "thi");
    if (thi > 0) piece = [...piece.slice(0, thi), ...piece.slice(thi + 1)];
  } else if (!lead && tail && toks.length <= BARE_WORDS + tail.length) marked = true;

  if (!marked) {
    // Very short, no verb, and naming a kind of thing the topic names, or an age.
    if (toks.length > BARE_WORDS || toks.some((t) => VERBS.has(t.fold))) return asTyped;
    // Only things that stand in for each other (a vehicle, a place): "ma túy?" is a new topic.
    const kinds = new Set(findConcepts(topic).map((f) => f.concept.kind));
    const sharesKind = findConcepts(question).some(
      (f) => (f.concept.kind === "vehicle" || f.concept.kind === "place") && kinds.has(f.concept.kind),
    );
    const age = toks.some((t, i) => NUMBER.test(t.raw) && toks[i + 1]?.fold === "tuoi");
    if (!sharesKind && !age) return asTyped;
  }
  return { question: `${expand(piece, topicToks)}?`, followUp: true };
}

import { foldKey, words } from "../../text/normalize.js";
import type { QuestionWeights } from "../index/knowledge-index.js";
import type { Passage } from "../retrieve/hybrid-search.js";

/**
 * Who a question is about and towards whom: "Cha mẹ người học phải ứng xử thế nào với giáo
 * viên?" asks what the parents do (the actor, before "với" / "đối với"), not what is done to
 * the teacher (the other). Null when the question names no other party.
 */
export function questionRoles(question: string): { actor: string; other: string } | null {
  const ws = words(question);
  const at = ws.findIndex((w, i) => i > 0 && foldKey(w) === "voi" && (w === "với" || w === "voi"));
  if (at < 0 || at === ws.length - 1) return null;
  const before = foldKey(ws[at - 1] ?? "") === "doi" ? at - 1 : at;
  return { actor: ws.slice(0, before).join(" "), other: ws.slice(at + 1).join(" ") };
}

/**
 * Whom an article is about, as its heading says after "của": "Điều 9. Ứng xử của cha mẹ người
 * học" → "cha mẹ người học", "Trách nhiệm của gia đình" → "gia đình". Null without one.
 */
export function headingOwner(heading: string): string | null {
  const m = /\bcủa\s+(.+)$/iu.exec(heading.normalize("NFC"));
  return m?.[1]?.trim() || null;
}

/** Weight of the question's keys, `of` a set and in `text`. */
function shared(q: QuestionWeights, of: ReadonlySet<string>, text: string): number {
  let s = 0;
  for (const k of new Set(q.key(text))) if (of.has(k)) s += q.weights.get(k) ?? 0;
  return s;
}

/**
 * The answering passages without those about the other party: when the question names who acts
 * and towards whom, an article headed "… của <the other>" (what the teacher does towards the
 * parents) answers the reverse question. They are kept only when nothing else answers.
 */
export function byRole(q: QuestionWeights, question: string, passages: readonly Passage[]): Passage[] {
  const roles = questionRoles(question);
  if (!roles) return [...passages];
  const actor = new Set(q.key(roles.actor).filter((k) => q.weights.has(k)));
  const other = new Set(q.key(roles.other).filter((k) => q.weights.has(k) && !actor.has(k)));
  const reversed = (p: Passage) => {
    const owner = headingOwner(p.chunk.headings.at(-1) ?? "");
    return owner !== null && shared(q, other, owner) > shared(q, actor, owner);
  };
  const kept = passages.filter((p) => !reversed(p));
  return kept.length > 0 ? kept : [...passages];
}

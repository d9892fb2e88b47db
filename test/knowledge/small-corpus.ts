import { corpusEmbeddingProvider, KnowledgeIndex } from "../../knowledge/index/knowledge-index.js";
import type { SourceFile } from "../../knowledge/load/sources.js";

/**
 * Filler rules for a small test corpus: everyday words ("có", "không", "ngày", "thời gian",
 * "mưa") are common in a real corpus and the names a question is about are rare; these give a
 * handful of documents that shape. Every other one mentions Hà Nội.
 */
export function fillerRules(): Record<string, string> {
  const topics = ["phòng cháy", "ma túy", "giao thông", "bạo lực học đường", "đuối nước", "an ninh mạng"];
  return Object.fromEntries(
    topics.map((topic, i) => [
      `quy-dinh-${i}`,
      `Quy định về ${topic}\nTrong thời gian học, nhà trường có trách nhiệm tuyên truyền về ${topic} mỗi ngày; ` +
        `học sinh không được tự ý rời trường, kể cả khi trời mưa, và phải báo giáo viên khi có việc bất thường` +
        (i % 2 ? "; các trường ở Hà Nội gửi báo cáo cho Sở." : "."),
    ]),
  );
}

/** An in-memory index of `{docId: text}` (64-dimension offline embeddings). */
export async function indexOf(docs: Record<string, string>): Promise<KnowledgeIndex> {
  const index = KnowledgeIndex.create(corpusEmbeddingProvider(64));
  const sources = Object.entries(docs).map(
    ([id, text]): SourceFile => ({ path: `${id}.txt`, hash: id, bytes: Buffer.from(text) }),
  );
  await index.update(sources);
  return index;
}

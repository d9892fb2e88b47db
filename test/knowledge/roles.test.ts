import { beforeAll, describe, expect, it } from "vitest";
import { answerQuestion } from "../../knowledge/answer/compose.js";
import { headingOwner, questionRoles } from "../../knowledge/answer/roles.js";
import type { KnowledgeIndex } from "../../knowledge/index/knowledge-index.js";
import { officialIndex } from "./official-corpus.js";

describe("who acts and towards whom", () => {
  it("reads the actor before 'với' / 'đối với' and the owner of an article after 'của'", () => {
    expect(questionRoles("Cha mẹ người học phải ứng xử thế nào với giáo viên?")).toEqual({
      actor: "cha mẹ người học phải ứng xử thế nào",
      other: "giáo viên",
    });
    expect(questionRoles("Trách nhiệm của nhà trường đối với học sinh là gì?")?.actor).toBe(
      "trách nhiệm của nhà trường",
    );
    expect(questionRoles("Học sinh cần làm gì?")).toBeNull();
    expect(headingOwner("Điều 9. Ứng xử của cha mẹ người học")).toBe("cha mẹ người học");
    expect(headingOwner("Điều 2. Mục đích")).toBeNull();
  });

  describe("in the code of conduct (TT 06/2019/TT-BGDĐT)", () => {
    let index: KnowledgeIndex;
    beforeAll(async () => {
      index = await officialIndex();
    }, 60_000);

    it("answers what parents do towards teachers from the parents' article (Điều 9), not the teachers' (Điều 6)", async () => {
      const a = await answerQuestion(index, "Cha mẹ người học phải ứng xử thế nào với giáo viên?");
      expect(a.basis).toContain("Điều 9 Thông tư 06/2019/TT-BGDĐT");
      expect(a.body).toContain("Ứng xử với cán bộ quản lý, giáo viên, nhân viên: Tôn trọng");
    });

    it("and the reverse from the teachers' article", async () => {
      const a = await answerQuestion(index, "Giáo viên ứng xử với cha mẹ người học như thế nào?");
      expect(a.basis).toContain("Điều 6 Thông tư 06/2019/TT-BGDĐT");
      expect(a.body).toContain("Ứng xử với cha mẹ người học: Ngôn ngữ đúng mực");
    });
  });
});

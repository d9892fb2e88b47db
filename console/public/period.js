// The period (from/to days, this year by default) and, for someone with several communes or
// schools, the area: shared by Thống kê and Báo cáo.
import { h, today } from "./api.js";

/**
 * Builds the fields; `prefix` keeps the ids apart (two forms on one page). `schools` adds a
 * school choice when the person has several. `values()` gives `{from, to, commune?, school?}`;
 * `problem()` a sentence when the period cannot be asked for.
 */
export function periodFields(me, prefix, { schools: withSchools = false } = {}) {
  const now = today();
  const dateField = (name, label, value) => {
    const input = h("input", {
      type: "date",
      id: `${prefix}-${name}`,
      name,
      value,
      required: true,
      max: "9999-12-31",
    });
    return { input, field: h("div", { class: "field" }, h("label", { for: input.id }, label), input) };
  };
  const from = dateField("from", "Từ ngày", `${now.slice(0, 4)}-01-01`);
  const to = dateField("to", "Đến ngày", now);
  const fields = [from.field, to.field];
  const choice = (name, label, list, all) => {
    const el = h(
      "select",
      { id: `${prefix}-${name}`, name },
      h("option", { value: "" }, all),
      list.map((x) => h("option", { value: x.id }, x.name)),
    );
    fields.push(h("div", { class: "field" }, h("label", { for: el.id }, label), el));
    return el;
  };
  const communes = me.scope?.communes ?? [];
  const commune =
    communes.length > 1 ? choice("commune", "Xã/phường", communes, "Tất cả xã/phường") : undefined;
  const schoolList = me.scope?.schools ?? [];
  const school =
    withSchools && schoolList.length > 1
      ? choice("school", "Trường", schoolList, "Tất cả trường")
      : undefined;

  return {
    fields,
    values() {
      return {
        from: from.input.value,
        to: to.input.value,
        commune: commune?.value || undefined,
        school: school?.value || undefined,
      };
    },
    problem() {
      const f = from.input.value;
      const t = to.input.value;
      if (!f || !t) return "Hãy chọn ngày bắt đầu và ngày kết thúc.";
      if (t < f) return "Ngày kết thúc phải sau ngày bắt đầu.";
      return undefined;
    },
  };
}

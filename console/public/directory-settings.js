// The province's duty desk (trực ban tỉnh: it receives a tip when nobody else is left) and the
// deadlines to acknowledge a tip before the next contact is tried, shown and edited in one form.
import { h } from "./api.js";
import { editForm, field, input, select, send } from "./directory-form.js";

const API = "/console/api/directory";

/** The province's duty desk and the deadlines to acknowledge, with one form. */
export function settingsSection(ctx) {
  const status = h("div", {});
  const slot = h("div", { class: "dir-slot" });
  const edit = h("button", { type: "button", on: { click: () => open() } }, "Sửa trực ban tỉnh và thời hạn");
  const element = h(
    "section",
    { class: "dir-section", "aria-labelledby": "dir-settings-title" },
    h("h2", { id: "dir-settings-title" }, "Trực ban tỉnh và thời hạn xác nhận"),
    status,
    h("div", { class: "row dir-actions" }, edit),
    slot,
  );
  function open() {
    const d = ctx.data();
    const contacts = d.contacts.map((c) => ({ id: c.id, label: c.name }));
    const desk = field(
      "dutyOfficer",
      "Trực ban tỉnh (nhận tin khi không còn ai)",
      select(contacts, d.dutyOfficer.id),
    );
    const hint = "Ví dụ: 10m, 4h, 1h30m, 1d.";
    const deadlines = d.deadlines.map((x) =>
      field(
        x.urgency,
        `Thời hạn xác nhận tin ${x.label.toLowerCase()}`,
        input({ value: x.value, maxlength: 12 }),
        hint,
      ),
    );
    const form = editForm({
      title: "Sửa trực ban tỉnh và thời hạn",
      fields: [desk, ...deadlines],
      submitLabel: "Lưu thay đổi",
      submit: (v) =>
        send(`${API}/settings`, {
          method: "PUT",
          body: {
            dutyOfficer: v.dutyOfficer,
            deadlines: { "khan-cap": v["khan-cap"], "binh-thuong": v["binh-thuong"] },
          },
        }),
      done: (answer) => {
        ctx.saved(answer, "Đã lưu trực ban tỉnh và thời hạn.");
        slot.replaceChildren();
        edit.focus();
      },
      cancel: () => {
        slot.replaceChildren();
        edit.focus();
      },
    });
    slot.replaceChildren(form.form);
    form.focus();
  }
  function render(d) {
    status.replaceChildren(
      h(
        "dl",
        { class: "dir-facts" },
        h("dt", {}, "Trực ban tỉnh"),
        h("dd", {}, d.dutyOfficer.name),
        d.deadlines.flatMap((x) => [h("dt", {}, `Thời hạn xác nhận — ${x.label}`), h("dd", {}, x.value)]),
      ),
    );
  }
  return { element, render };
}

// The directory's lists — communes, schools, contacts, routes and the province's settings — each a
// table with its add, edit and remove forms. Every change goes to the server, which validates the
// whole directory as the YAML import does and answers with the directory as it now is.
import { h } from "./api.js";
import {
  editForm,
  field,
  input,
  problemList,
  rowButton,
  select,
  send,
  slug,
  table,
} from "./directory-form.js";

const API = "/console/api/directory";
const KIND = { xa: "Xã", phuong: "Phường", "dac-khu": "Đặc khu" };
const LEVEL = {
  "mam-non": "Mầm non",
  "tieu-hoc": "Tiểu học",
  thcs: "THCS",
  thpt: "THPT",
  "lien-cap": "Liên cấp",
};
export const CONTACT_ROLE = { officer: "Cán bộ", "duty-desk": "Trực ban", unit: "Đơn vị" };
const ID_HINT = "Chữ thường không dấu, số và dấu gạch ngang; không đổi được sau khi tạo.";

/** An id field that follows the name until it is typed in. */
function idField(nameControl) {
  const f = field("id", "Mã", input({ maxlength: 48, spellcheck: "false" }), ID_HINT);
  let typed = false;
  f.control.addEventListener("input", () => {
    typed = f.control.value !== "";
  });
  nameControl.addEventListener("input", () => {
    if (!typed) f.control.value = slug(nameControl.value);
  });
  return f;
}

/**
 * One list of the directory: its heading, an alert for refused removals, the add button, the
 * slot where a form opens, and its table. `ctx` gives the data, saves and reports.
 */
function listSection(ctx, spec) {
  const alert = h("div", { class: "alert", role: "alert" });
  const slot = h("div", { class: "dir-slot" });
  const body = h("div", {});
  const add = h(
    "button",
    { type: "button", class: "primary", on: { click: () => open(undefined) } },
    spec.addLabel,
  );
  const element = h(
    "section",
    { class: "dir-section", "aria-labelledby": `dir-${spec.key}-title` },
    h("h2", { id: `dir-${spec.key}-title` }, spec.title),
    spec.intro ? h("p", { class: "fine" }, spec.intro) : "",
    alert,
    h("div", { class: "row dir-actions" }, add),
    slot,
    body,
  );

  function close(focusKey) {
    slot.replaceChildren();
    const again = focusKey && body.querySelector(`[data-edit="${CSS.escape(focusKey)}"]`);
    (again ?? add).focus();
  }

  function open(entry) {
    alert.replaceChildren();
    const key = entry && spec.keyOf(entry);
    const f = spec.form(ctx.data(), entry);
    const form = editForm({
      ...f,
      submitLabel: entry ? "Lưu thay đổi" : "Thêm",
      done: (answer) => {
        ctx.saved(answer, entry ? `Đã lưu ${f.what}.` : `Đã thêm ${f.what}.`);
        // The focus goes back to the row's "Sửa" (the new row's, after an add).
        const added = !entry && answer?.directory ? f.added(answer.directory) : undefined;
        close(key ?? (added && spec.keyOf(added)));
      },
      cancel: () => close(key),
    });
    slot.replaceChildren(form.form);
    form.focus();
  }

  async function remove(entry, button) {
    const name = spec.nameOf(entry);
    if (!window.confirm(`Xóa ${name} khỏi danh bạ?`)) return;
    alert.replaceChildren();
    button.disabled = true;
    try {
      const answer = await send(`${API}/${spec.path(entry)}`, { method: "DELETE" });
      ctx.saved(answer, `Đã xóa ${name}.`);
      add.focus();
    } catch (e) {
      button.disabled = false;
      alert.replaceChildren(...problemList(`Không xóa được ${name}. ${e.message}`, e.problems ?? []));
      alert.setAttribute("tabindex", "-1");
      alert.focus();
    }
  }

  function render(data) {
    const entries = spec.entries(data);
    body.replaceChildren(
      table(
        `${spec.caption} (${entries.length})`,
        [...spec.headers, "Thao tác"],
        entries.map((entry) => {
          const name = spec.nameOf(entry);
          const edit = rowButton("Sửa", name, () => open(entry), { "data-edit": spec.keyOf(entry) });
          const del = rowButton("Xóa", name, (e) => remove(entry, e.currentTarget), {
            class: "small danger-outline",
          });
          return [
            ...spec.row(entry, data),
            h("span", { class: "cell-actions" }, edit, del, spec.extra?.(entry) ?? ""),
          ];
        }),
      ),
    );
  }
  return { element, render };
}

export function communesSection(ctx) {
  return listSection(ctx, {
    key: "xa-phuong",
    title: "Xã, phường, đặc khu",
    caption: "Danh sách xã, phường, đặc khu",
    addLabel: "Thêm xã/phường",
    intro: "Xã/phường mới dùng tuyến chuyển tin chung của tỉnh cho đến khi có tuyến riêng.",
    headers: ["Tên", "Mã", "Loại", "Số trường"],
    entries: (d) => d.communes,
    keyOf: (c) => c.id,
    nameOf: (c) => c.name,
    path: (c) => `communes/${encodeURIComponent(c.id)}`,
    row: (c) => [c.name, h("code", {}, c.id), KIND[c.kind] ?? "—", String(c.schools)],
    form: (_d, c) => {
      const name = field(
        "name",
        "Tên (ví dụ: Phường An Hòa)",
        input({ value: c?.name ?? "", maxlength: 160 }),
      );
      const fields = c ? [name] : [name, idField(name.control)];
      return {
        title: c ? `Sửa ${c.name}` : "Thêm xã/phường",
        what: "xã/phường",
        fields,
        added: (d) => d.communes.at(-1),
        submit: (v) =>
          c
            ? send(`${API}/communes/${encodeURIComponent(c.id)}`, { method: "PUT", body: { name: v.name } })
            : send(`${API}/communes`, { body: { id: v.id, name: v.name } }),
      };
    },
  });
}

export function schoolsSection(ctx) {
  return listSection(ctx, {
    key: "truong-hoc",
    title: "Trường học",
    caption: "Danh sách trường học",
    addLabel: "Thêm trường",
    headers: ["Tên", "Mã", "Xã/phường", "Cấp học"],
    entries: (d) => d.schools,
    keyOf: (s) => s.id,
    nameOf: (s) => s.name,
    path: (s) => `schools/${encodeURIComponent(s.id)}`,
    row: (s) => [s.name, h("code", {}, s.id), s.communeName, LEVEL[s.level] ?? "—"],
    form: (d, s) => {
      const name = field("name", "Tên trường", input({ value: s?.name ?? "", maxlength: 160 }));
      const commune = field("commune", "Xã/phường", select(d.communes, s?.commune, "— Chọn —"));
      const fields = s ? [name, commune] : [name, idField(name.control), commune];
      return {
        title: s ? `Sửa ${s.name}` : "Thêm trường",
        what: "trường",
        fields,
        added: (dir) => dir.schools.at(-1),
        submit: (v) =>
          s
            ? send(`${API}/schools/${encodeURIComponent(s.id)}`, {
                method: "PUT",
                body: { name: v.name, commune: v.commune },
              })
            : send(`${API}/schools`, { body: { id: v.id, name: v.name, commune: v.commune } }),
      };
    },
  });
}

/** The contact form: a role and its parts (rank, person, unit), or a whole name. */
function contactForm(c) {
  const role = field(
    "role",
    "Vai trò",
    select(
      [
        { id: "officer", label: "Cán bộ (cấp bậc, họ tên, đơn vị)" },
        { id: "duty-desk", label: "Trực ban của một đơn vị" },
        { id: "unit", label: "Đơn vị (phòng, đội, công an xã/phường)" },
        { id: "", label: "Khác (nhập tên đầy đủ)" },
      ],
      c ? (c.role ?? "") : "officer",
    ),
  );
  const rank = field(
    "rank",
    "Cấp bậc",
    input({ value: c?.rank ?? "", maxlength: 40 }),
    "Ví dụ: Thượng úy, Đại úy, Thiếu tá.",
  );
  const person = field(
    "person",
    "Họ và tên",
    input({ value: c?.person ?? "", maxlength: 120, autocomplete: "off" }),
  );
  const unit = field(
    "unit",
    "Đơn vị",
    input({ value: c?.unit ?? "", maxlength: 160 }),
    "Ví dụ: Công an phường An Hòa.",
  );
  const name = field("name", "Tên hiển thị", input({ value: c?.name ?? "", maxlength: 160 }));
  const shown = { officer: [rank, person, unit], "duty-desk": [unit], unit: [unit], "": [name] };
  const sync = () => {
    for (const f of [rank, person, unit, name]) f.wrap.hidden = !shown[role.control.value].includes(f);
  };
  role.control.addEventListener("change", sync);
  sync();
  const fields = [role, rank, person, unit, name];
  if (!c) {
    const id = field(
      "id",
      "Mã",
      input({ maxlength: 48, spellcheck: "false" }),
      `${ID_HINT} Ví dụ: ca-an-hoa-lan.`,
    );
    fields.splice(1, 0, id);
  }
  return fields;
}

export function contactsSection(ctx, { invite }) {
  return listSection(ctx, {
    key: "can-bo",
    title: "Cán bộ và đầu mối",
    caption: "Danh sách đầu mối nhận tin",
    addLabel: "Thêm đầu mối",
    intro:
      "Không nhập mã chat: đầu mối mới là chỗ trống, người nhận tham gia bằng lời mời (nút “Mời”). Cấp bậc, đơn vị và vai trò được đọc từ tên.",
    headers: ["Tên", "Mã", "Cấp bậc", "Đơn vị", "Vai trò", "Người nhận", "Số tuyến"],
    entries: (d) => d.contacts,
    keyOf: (c) => c.id,
    nameOf: (c) => c.name,
    path: (c) => `contacts/${encodeURIComponent(c.id)}`,
    row: (c) => [
      c.name,
      h("code", {}, c.id),
      c.rank ?? "—",
      c.unit ?? "—",
      CONTACT_ROLE[c.role] ?? "—",
      h(
        "span",
        { class: `badge ${c.status === "bound" ? "state" : "vacant"}` },
        c.status === "bound"
          ? `Đã nhận (${c.channel === "zalo" ? "Zalo" : "Telegram"})`
          : "Chưa có người nhận",
      ),
      `${c.routes}${c.dutyOfficer ? " · trực ban tỉnh" : ""}`,
    ],
    extra: (c) => rowButton("Mời", c.name, () => invite(c)),
    form: (_d, c) => {
      const fields = contactForm(c);
      const value = (v) =>
        v.role ? { role: v.role, rank: v.rank, person: v.person, unit: v.unit } : { name: v.name };
      return {
        title: c ? `Sửa ${c.name}` : "Thêm đầu mối",
        what: "đầu mối",
        fields,
        added: (d) => d.contacts.at(-1),
        submit: (v) => {
          const body = Object.fromEntries(Object.entries(value(v)).filter(([, x]) => x !== undefined));
          return c
            ? send(`${API}/contacts/${encodeURIComponent(c.id)}`, { method: "PUT", body })
            : send(`${API}/contacts`, { body: { id: v.id, ...body } });
        },
      };
    },
  });
}

const routePath = (r) => `routes/${encodeURIComponent(r.category)}/${encodeURIComponent(r.commune)}`;

export function routesSection(ctx) {
  return listSection(ctx, {
    key: "tuyen",
    title: "Tuyến chuyển tin",
    caption: "Tuyến chuyển tin theo loại sự việc và xã/phường",
    addLabel: "Thêm tuyến",
    intro:
      "Tin báo đến đầu mối chính, quá hạn chưa xác nhận thì đến dự phòng, rồi trực ban. Tuyến cụ thể nhất được dùng: loại × xã/phường, rồi mọi loại × xã/phường, loại × toàn tỉnh, mọi loại × toàn tỉnh.",
    headers: ["Loại sự việc", "Xã/phường", "Đầu mối chính", "Dự phòng", "Trực ban"],
    entries: (d) => d.routes,
    keyOf: (r) => r.key,
    nameOf: (r) => `tuyến ${r.categoryLabel} × ${r.communeName}`,
    path: routePath,
    row: (r) => [r.categoryLabel, r.communeName, r.primary.name, r.backup?.name ?? "—", r.duty.name],
    form: (d, r) => {
      const contacts = d.contacts.map((c) => ({
        id: c.id,
        label: c.status === "bound" ? c.name : `${c.name} (chưa có người nhận)`,
      }));
      const primary = field("primary", "Đầu mối chính", select(contacts, r?.primary.id, "— Chọn —"));
      const backup = field(
        "backup",
        "Dự phòng (không bắt buộc)",
        select(contacts, r?.backup?.id, "— Không có —"),
      );
      const duty = field("duty", "Trực ban", select(contacts, r?.duty.id ?? d.dutyOfficer.id, "— Chọn —"));
      const fields = [primary, backup, duty];
      if (!r) {
        const communes = [{ id: "*", label: "Toàn tỉnh" }, ...d.communes];
        fields.unshift(
          field("category", "Loại sự việc", select(d.categories, undefined, "— Chọn —")),
          field("commune", "Xã/phường", select(communes, undefined, "— Chọn —")),
        );
      }
      const contactsOf = (v) => ({ primary: v.primary, backup: v.backup || null, duty: v.duty });
      return {
        title: r ? `Sửa tuyến ${r.categoryLabel} × ${r.communeName}` : "Thêm tuyến",
        what: "tuyến",
        fields,
        added: (dir) => dir.routes.at(-1),
        submit: (v) =>
          r
            ? send(`${API}/${routePath(r)}`, { method: "PUT", body: contactsOf(v) })
            : send(`${API}/routes`, { body: { category: v.category, commune: v.commune, ...contactsOf(v) } }),
      };
    },
  });
}

// Invitations (mint a one-time code, shown once; see each one's status; revoke a pending one) and
// who is on duty now, per commune (read-only: officers change it with /nghi and /truc).
import { api, formatDateTime, h } from "./api.js";
import { editForm, field, problemList, rowButton, select, send, table } from "./directory-form.js";

const API = "/console/api/directory";
const ROLES = [
  { id: "police-contact", label: "Đầu mối công an (nhận tin báo)" },
  { id: "school-staff", label: "Cán bộ, giáo viên nhà trường" },
  { id: "province-admin", label: "Quản trị viên tỉnh" },
];
const TTLS = [
  { id: "24", label: "24 giờ" },
  { id: "72", label: "3 ngày" },
  { id: "168", label: "7 ngày" },
  { id: "720", label: "30 ngày" },
];
const STATUS_CLASS = { pending: "new", used: "state", expired: "state", revoked: "state" };

export function invitationsSection(ctx) {
  const alert = h("div", { class: "alert", role: "alert" });
  const minted = h("div", {});
  const slot = h("div", { class: "dir-slot" });
  const list = h("div", {});
  const element = h(
    "section",
    { class: "dir-section", "aria-labelledby": "dir-loi-moi-title" },
    h("h2", { id: "dir-loi-moi-title" }, "Lời mời"),
    h(
      "p",
      { class: "fine" },
      "Mã mời dùng một lần. Người được mời gửi ",
      h("kbd", {}, "/thamgia <mã>"),
      " cho bot trên Telegram hoặc Zalo, hoặc mở đường dẫn Telegram. Mã chỉ hiện một lần, ngay sau khi tạo: hãy gửi ngay cho người được mời.",
    ),
    slot,
    minted,
    alert,
    list,
  );
  let form;
  let preset;

  function buildForm(preset = {}) {
    const d = ctx.data();
    const role = field("role", "Mời làm", select(ROLES, preset.role ?? "police-contact"));
    const contacts = d.contacts.map((c) => ({
      id: c.id,
      label: c.status === "bound" ? `${c.name} (đã có người nhận)` : c.name,
    }));
    const contact = field(
      "contactId",
      "Đầu mối",
      select(contacts, preset.contactId, "— Chọn —"),
      "Người nhận mới thay người đang giữ đầu mối (nếu có).",
    );
    const school = field("schoolId", "Trường", select(d.schools, undefined, "— Chọn —"));
    const schoolRole = field("schoolRole", "Vai trò ở trường", select(d.schoolRoles, "safety-staff"));
    const ttl = field("ttlHours", "Hiệu lực của mã", select(TTLS, "72"));
    const sync = () => {
      contact.wrap.hidden = role.control.value !== "police-contact";
      school.wrap.hidden = schoolRole.wrap.hidden = role.control.value !== "school-staff";
    };
    role.control.addEventListener("change", sync);
    sync();
    form = editForm({
      title: "Tạo mã mời",
      fields: [role, contact, school, schoolRole, ttl],
      submitLabel: "Tạo mã mời",
      submit: (v) => {
        const body = { role: v.role, ttlHours: Number(v.ttlHours) };
        if (v.role === "police-contact") body.contactId = v.contactId;
        if (v.role === "school-staff")
          Object.assign(body, { schoolId: v.schoolId, schoolRole: v.schoolRole });
        return send(`${API}/invitations`, { body });
      },
      done: (answer) => {
        showMinted(answer);
        void load();
      },
      cancel: () => buildForm(),
    });
    slot.replaceChildren(form.form);
  }

  function showMinted({ code, deepLink, invitation }) {
    const title = h("h3", { tabindex: "-1" }, "Mã mời mới");
    const copy = h("button", { type: "button", class: "small" }, "Sao chép mã");
    copy.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(code);
        copy.textContent = "Đã sao chép";
      } catch {
        copy.textContent = "Không sao chép được: hãy chọn và chép mã";
      }
    });
    minted.replaceChildren(
      h(
        "div",
        { class: "card dir-minted" },
        title,
        h("p", {}, invitation.targetLabel),
        h(
          "p",
          { class: "dir-code" },
          h("span", { class: "visually-hidden" }, "Mã: "),
          h("span", { class: "code" }, code),
        ),
        h("p", { class: "fine" }, `Chỉ hiện một lần. Hết hạn lúc ${formatDateTime(invitation.expiresAt)}.`),
        deepLink
          ? h("p", {}, "Đường dẫn Telegram: ", h("a", { href: deepLink, rel: "noreferrer" }, deepLink))
          : "",
        h(
          "div",
          { class: "row" },
          copy,
          h(
            "button",
            {
              type: "button",
              class: "small",
              on: {
                click: () => {
                  minted.replaceChildren();
                  form.focus();
                },
              },
            },
            "Ẩn mã",
          ),
        ),
      ),
    );
    title.focus();
  }

  async function revoke(inv, button) {
    if (!window.confirm(`Thu hồi lời mời: ${inv.targetLabel}?`)) return;
    button.disabled = true;
    alert.replaceChildren();
    try {
      await send(`${API}/invitations/${inv.id}`, { method: "DELETE" });
      ctx.status(`Đã thu hồi lời mời: ${inv.targetLabel}.`);
    } catch (e) {
      alert.replaceChildren(...problemList(e.message, e.problems ?? []));
    }
    await load();
    list.querySelector("caption")?.focus();
  }

  async function load() {
    try {
      const { body } = await api(`${API}/invitations`);
      const rows = body.invitations.map((inv) => [
        inv.targetLabel,
        h("span", { class: `badge ${STATUS_CLASS[inv.status] ?? "state"}` }, inv.statusLabel),
        inv.createdBy,
        formatDateTime(inv.createdAt),
        formatDateTime(inv.expiresAt),
        inv.status === "pending"
          ? rowButton("Thu hồi", inv.targetLabel, (e) => revoke(inv, e.currentTarget))
          : "—",
      ]);
      list.replaceChildren(
        rows.length
          ? table(
              `Lời mời gần đây (${rows.length})`,
              ["Mời làm", "Trạng thái", "Người tạo", "Tạo lúc", "Hết hạn", "Thao tác"],
              rows,
            )
          : h("p", { class: "empty" }, "Chưa có lời mời nào."),
      );
      list.querySelector("caption")?.setAttribute("tabindex", "-1");
    } catch (e) {
      alert.replaceChildren(h("p", {}, e.message));
    }
  }

  return {
    element,
    render() {
      // The selects follow the directory (a contact just added can be invited at once).
      if (!slot.querySelector("[aria-invalid]")) buildForm();
    },
    /** Loads the list; true when it moved the focus to a form asked for by `invite`. */
    show() {
      void load();
      if (!preset) return false;
      minted.replaceChildren();
      buildForm(preset);
      preset = undefined;
      form.focus();
      return true;
    },
    /** The form, next time the part shows, for this contact (the contacts table's "Mời"). */
    invite(contact) {
      preset = { role: "police-contact", contactId: contact.id };
    },
  };
}

export function dutySection() {
  const body = h("div", {});
  const alert = h("div", { class: "alert", role: "alert" });
  const refresh = h("button", { type: "button", on: { click: () => load() } }, "Làm mới");
  const element = h(
    "section",
    { class: "dir-section", "aria-labelledby": "dir-ca-truc-title" },
    h("h2", { id: "dir-ca-truc-title" }, "Ca trực"),
    h(
      "p",
      { class: "fine" },
      "Ai đang nhận tin báo lúc này. Cán bộ tự báo nghỉ (/nghi) và trực lại (/truc) trong bot; trực ban tỉnh luôn trực.",
    ),
    h("div", { class: "row dir-actions" }, refresh),
    alert,
    body,
  );
  const status = (e) =>
    e.vacant || e.onDuty || e.until === null ? e.statusLabel : `${e.statusLabel} ${formatDateTime(e.until)}`;
  const rows = (entries) =>
    entries.map((e) => [
      e.name,
      h("span", { class: `badge ${e.vacant ? "vacant" : e.onDuty ? "new" : "state"}` }, status(e)),
      e.changedAt ? formatDateTime(e.changedAt) : "—",
    ]);

  async function load() {
    refresh.disabled = true;
    try {
      const { body: r } = await api(`${API}/duty`);
      alert.replaceChildren();
      body.replaceChildren(
        h(
          "p",
          {},
          `Lúc ${formatDateTime(r.at)}. Trực ban tỉnh: ${r.dutyOfficer.name} — ${status(r.dutyOfficer)}.`,
        ),
        r.communes.map((c) =>
          h(
            "div",
            { class: "dir-duty" },
            h("h3", {}, c.name),
            c.unreachable
              ? h(
                  "p",
                  { class: "alert" },
                  "Có loại tin báo hiện không ai nhận được: mời người nhận cho các đầu mối còn trống.",
                )
              : h(
                  "p",
                  { class: "fine" },
                  `Tin mới đến trước tiên: ${c.firstNow.map((x) => x.name).join(", ")}.`,
                ),
            table(`Đầu mối của ${c.name}`, ["Đầu mối", "Trạng thái", "Đổi lúc"], rows(c.contacts)),
          ),
        ),
      );
    } catch (e) {
      alert.replaceChildren(h("p", {}, e.message));
    } finally {
      refresh.disabled = false;
    }
  }
  return { element, render() {}, show: () => void load() };
}

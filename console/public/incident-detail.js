// One incident of the school's log: what happened, who was involved (pupils' names only as the
// server sends them: to the school and the routed officer), the timeline, and for an officer the
// same actions as the chat's buttons (`actions` from the server). Text only through h().
import { ApiError, api, formatDateTime, h } from "./api.js";

export function createIncidentDetail({ onChanged }) {
  const element = h("section", { class: "detail", "aria-labelledby": "incident-title" });
  const back = h("a", { class: "button back", href: "#su-viec" }, "← Danh sách vụ việc");
  const heading = h("h2", { id: "incident-title", tabindex: "-1" }, "Chọn một vụ việc");
  const hint = h("p", { class: "fine" }, "Chọn một vụ việc trong danh sách để xem chi tiết và diễn biến.");
  const done = h("p", { class: "status", role: "status", tabindex: "-1" });
  const alert = h("div", { class: "alert", role: "alert" });
  const body = h("div");
  element.append(back, heading, hint, done, alert, body);
  let id;
  let busy = false;

  const field = (label, control, note) =>
    h("div", { class: "field" }, h("label", { for: control.id }, label), control, note ?? "");

  function facts(i) {
    const when = (at, by) => (at ? `${formatDateTime(at)}${by ? ` · ${by}` : ""}` : "");
    const rows = [
      ["Trạng thái", i.statusLabel],
      ["Loại vụ việc", i.kindLabel],
      ["Mức độ", i.urgencyLabel],
      ["Trường", i.schoolName],
      ["Xã/phường", i.communeName],
      ["Người báo cáo", `${i.reporterName} (${i.reporterRoleLabel})`],
      ["Thời điểm xảy ra", formatDateTime(i.occurredAt)],
      ["Nơi xảy ra", [i.placeLabel, i.placeText].filter(Boolean).join(": ")],
      ["Báo cáo lúc", formatDateTime(i.createdAt)],
      ["Công an nhận xử lý", when(i.acknowledgedAt, i.acknowledgedBy)],
      ["Xuống hiện trường", when(i.onSiteAt, i.onSiteBy)],
      ["Đóng lúc", when(i.closedAt, i.closedBy)],
      ["Kết quả", i.outcomeLabel],
    ].filter(([, v]) => v);
    return h(
      "dl",
      {},
      rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
    );
  }

  function involved(list) {
    if (!list.length) return "";
    return [
      h("h3", {}, "Người liên quan"),
      h(
        "ul",
        {},
        list.map((p) =>
          h(
            "li",
            {},
            [
              p.count > 1 ? `${p.count} × ${p.roleLabel}` : p.roleLabel,
              p.className ? `lớp ${p.className}` : "",
              p.name ?? (p.nameHidden ? "(tên được ẩn)" : ""),
            ]
              .filter(Boolean)
              .join(" · "),
          ),
        ),
      ),
    ];
  }

  function timeline(entries) {
    return [
      h("h3", {}, "Diễn biến xử lý"),
      entries.length === 0
        ? h("p", { class: "fine" }, "Chưa có.")
        : h(
            "ol",
            { class: "timeline" },
            entries.map((e) =>
              h(
                "li",
                { class: e.action === "answered" ? "from-tipster" : undefined },
                h(
                  "span",
                  { class: "when" },
                  h("time", { datetime: new Date(e.at).toISOString() }, formatDateTime(e.at)),
                  e.who ? ` · ${e.who}` : "",
                ),
                h("strong", {}, e.label ?? e.action),
                e.detail
                  ? h(
                      "p",
                      { class: e.action === "asked" || e.action === "answered" ? "said" : "note" },
                      e.detail,
                    )
                  : "",
              ),
            ),
          ),
    ];
  }

  /** An action form: title, fields, a submit button; `send` builds the request body. */
  function actionForm(name, title, fields, submitText, send) {
    const submit = h("button", { type: "submit" }, submitText);
    const form = h(
      "form",
      { "aria-labelledby": `incident-act-${name}`, "data-action": name },
      h("h3", { id: `incident-act-${name}` }, title),
      fields,
      h("div", { class: "row" }, submit),
    );
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (busy) return;
      busy = true;
      submit.disabled = true;
      alert.replaceChildren();
      done.textContent = "";
      const incidentId = id;
      try {
        const [payload, message] = send(form);
        await api(`/console/api/incidents/${encodeURIComponent(incidentId)}/${name}`, {
          method: "POST",
          body: payload,
        });
        if (incidentId !== id) return;
        await load();
        done.textContent = message;
        done.focus();
        onChanged();
      } catch (err) {
        if (incidentId !== id) return;
        alert.replaceChildren(h("p", {}, err.message));
        if (err instanceof ApiError && err.status === 409) await load();
      } finally {
        busy = false;
        submit.disabled = false;
      }
    });
    return form;
  }

  function actions(data) {
    const allowed = new Set(data.actions ?? []);
    if (allowed.size === 0) return "";
    const code = data.incident.caseCode;
    const text = (name, required, max) =>
      h("textarea", { id: `incident-${name}`, name, rows: "2", maxlength: String(max), required });
    const forms = [];
    if (allowed.has("acknowledge"))
      forms.push(
        actionForm(
          "acknowledge",
          "Nhận xử lý",
          h("p", { class: "fine" }, "Báo nhà trường là đồng chí đã nhận vụ việc (hệ thống thôi chuyển cấp)."),
          "Nhận xử lý",
          () => [{}, `Đã nhận xử lý vụ việc ${code}.`],
        ),
      );
    if (allowed.has("on-site"))
      forms.push(
        actionForm(
          "on-site",
          "Đã xuống hiện trường",
          field("Ghi chú (không bắt buộc)", text("site-note", false, 1000)),
          "Báo đã xuống hiện trường",
          (f) => {
            const note = f.elements["site-note"].value.trim();
            return [note ? { note } : {}, `Đã ghi nhận xuống hiện trường vụ việc ${code}.`];
          },
        ),
      );
    if (allowed.has("ask"))
      forms.push(
        actionForm(
          "ask",
          "Hỏi người báo cáo",
          field(
            "Câu hỏi",
            text("question", true, 2000),
            h(
              "p",
              { class: "fine" },
              "Câu hỏi được gửi thẳng đến cuộc trò chuyện của người báo cáo, kèm tên đồng chí (báo cáo có tên, không ẩn danh).",
            ),
          ),
          "Gửi câu hỏi",
          (f) => [{ question: f.elements.question.value.trim() }, "Đã gửi câu hỏi cho người báo cáo."],
        ),
      );
    const forwardTo = data.forwardTo ?? [];
    if (allowed.has("forward") && forwardTo.length > 0)
      forms.push(
        actionForm(
          "forward",
          "Chuyển tiếp",
          [
            field(
              "Chuyển cho",
              h(
                "select",
                { id: "incident-forward-to", name: "contactId", required: true },
                h("option", { value: "" }, "— Chọn người nhận —"),
                forwardTo.map((c) => h("option", { value: c.id }, c.name)),
              ),
            ),
            field("Ghi chú (không bắt buộc)", text("forward-note", false, 1000)),
          ],
          "Chuyển tiếp",
          (f) => {
            const note = f.elements["forward-note"].value.trim();
            const contactId = f.elements.contactId.value;
            const name = forwardTo.find((c) => c.id === contactId)?.name ?? "";
            return [note ? { contactId, note } : { contactId }, `Đã chuyển vụ việc ${code} đến ${name}.`];
          },
        ),
      );
    if (allowed.has("close"))
      forms.push(
        actionForm(
          "close",
          "Đóng vụ việc",
          [
            field(
              "Kết quả xử lý",
              h(
                "select",
                { id: "incident-outcome", name: "outcome", required: true },
                h("option", { value: "" }, "— Chọn kết quả —"),
                (data.outcomes ?? []).map((o) => h("option", { value: o.id }, o.label)),
              ),
            ),
            field("Ghi chú (không bắt buộc)", text("close-note", false, 1000)),
          ],
          "Đóng vụ việc",
          (f) => {
            const note = f.elements["close-note"].value.trim();
            const outcome = f.elements.outcome.value;
            return [note ? { outcome, note } : { outcome }, `Đã đóng vụ việc ${code}.`];
          },
        ),
      );
    return [h("h3", {}, "Xử lý"), h("div", { class: "act" }, forms)];
  }

  function render(data) {
    const i = data.incident;
    heading.textContent = `Vụ việc ${i.caseCode}`;
    hint.hidden = true;
    // h() flattens the parts' arrays (replaceChildren would print them as text).
    body.replaceChildren(
      h(
        "div",
        {},
        i.urgency === "khan-cap" ? h("p", {}, h("span", { class: "badge urgent" }, i.urgencyLabel)) : "",
        facts(i),
        h("h3", {}, "Nội dung"),
        h(
          "p",
          { class: "description" },
          i.description || (i.erased ? "(Nội dung đã xóa khi hết thời hạn lưu)" : "(Không có nội dung)"),
        ),
        involved(i.involved ?? []),
        i.injuries ? [h("h3", {}, "Thương tích"), h("p", {}, i.injuries)] : "",
        i.schoolAction ? [h("h3", {}, "Nhà trường đã xử lý"), h("p", {}, i.schoolAction)] : "",
        i.photos > 0
          ? h("p", { class: "fine" }, `${i.photos} ảnh kèm theo (xem trong cuộc trò chuyện với bot).`)
          : "",
        timeline(data.timeline ?? []),
        actions(data),
      ),
    );
  }

  async function load() {
    const incidentId = id;
    try {
      const res = await api(`/console/api/incidents/${encodeURIComponent(incidentId)}`);
      if (incidentId === id) render(res.body);
    } catch (e) {
      if (incidentId !== id || (e instanceof ApiError && e.status === 401)) return;
      heading.textContent = "Không mở được vụ việc";
      alert.replaceChildren(h("p", {}, e.message));
    }
  }

  return {
    element,
    async open(incidentId, { focus }) {
      id = incidentId;
      body.replaceChildren();
      alert.replaceChildren();
      done.textContent = "";
      hint.hidden = true;
      heading.textContent = "Đang tải vụ việc…";
      if (focus) heading.focus();
      await load();
    },
    close() {
      id = undefined;
      body.replaceChildren();
      alert.replaceChildren();
      done.textContent = "";
      heading.textContent = "Chọn một vụ việc";
      hint.hidden = false;
    },
  };
}

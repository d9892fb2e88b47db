// One tip: its text, place, photos, timeline and the actions the server allows (`actions`):
// acknowledge, ask the tipster, forward, close with an outcome. The detail is fetched again when
// the list changes and at most every STALE_MS otherwise, so a tipster's answer shows up by itself;
// what the officer is typing is kept across those refreshes.
import { ApiError, api, formatDateTime, h } from "./api.js";

/** Re-fetch an open tip after this long even when the list did not change. */
const STALE_MS = 30_000;
const STATE_LABEL = {
  open: "Mới",
  acknowledged: "Đã xác nhận",
  waiting: "Chờ người báo tin",
  closed: "Đã đóng",
};
const CASE_CODE = "\\s*[Aa][Tt]?[\\s\\-]*[A-Za-z0-9]{4}[\\s\\-]*[A-Za-z0-9]{2}\\s*";

export function createTipDetail({ me, announce, onChanged }) {
  const element = h("section", { class: "detail", "aria-labelledby": "tip-title" });
  const back = h("a", { class: "button back", href: "#hop-tin" }, "← Danh sách tin báo");
  const heading = h("h2", { id: "tip-title", tabindex: "-1" }, "Chọn một tin báo");
  const head = h("div");
  const photos = h("div");
  const timeline = h("div");
  const actions = h("div");
  const alert = h("div", { class: "alert", role: "alert" });
  const done = h("p", { class: "status", role: "status", tabindex: "-1" });
  const hint = h("p", { class: "fine" }, "Chọn một tin báo trong danh sách để xem chi tiết và xử lý.");
  element.append(back, heading, hint, done, alert, head, photos, timeline, actions);

  let id;
  let fetchedAt = 0;
  let busy = false;
  let shown = {}; // JSON of what each part shows, to redraw only what changed
  let timelineLength = 0;
  let etag;

  function clear() {
    shown = {};
    timelineLength = 0;
    etag = undefined;
    for (const part of [head, photos, timeline, actions, alert]) part.replaceChildren();
    done.textContent = "";
  }

  function renderHead(tip) {
    const rows = [
      ["Trạng thái", tip.stateLabel ?? STATE_LABEL[tip.state] ?? tip.state],
      ["Loại sự việc", tip.categoryLabel ?? tip.category],
      ["Mức khẩn cấp", tip.urgencyLabel ?? (tip.urgency === "khan-cap" ? "Khẩn cấp" : "Bình thường")],
      ["Xã/phường", tip.communeName],
      ["Trường", tip.schoolName],
      ["Nơi xảy ra", tip.place],
      ["Nhận lúc", tip.createdAt && formatDateTime(tip.createdAt)],
      ["Xác nhận lúc", tip.acknowledgedAt && formatDateTime(tip.acknowledgedAt)],
      ["Đóng lúc", tip.closedAt && formatDateTime(tip.closedAt)],
      ["Kết quả", tip.outcomeLabel],
    ].filter(([, v]) => v);
    head.replaceChildren(
      tip.urgency === "khan-cap" ? h("p", {}, h("span", { class: "badge urgent" }, "Khẩn cấp")) : "",
      h(
        "dl",
        {},
        rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
      ),
      h("h3", {}, "Nội dung"),
      h("p", { class: "description" }, tip.description || "(Không có nội dung)"),
    );
  }

  function renderPhotos(tip) {
    const urls = Array.isArray(tip.photoUrls) ? tip.photoUrls : [];
    // Same photos, new signatures: only the links change (the images stay, no flicker).
    const links = photos.querySelectorAll("a");
    if (links.length === urls.length && shown.photoCount === urls.length) {
      urls.forEach((u, i) => {
        links[i].href = u;
      });
      return;
    }
    shown.photoCount = urls.length;
    if (urls.length === 0) return photos.replaceChildren();
    photos.replaceChildren(
      h("h3", {}, `Ảnh (${urls.length})`),
      h(
        "div",
        { class: "photos" },
        urls.map((u, i) =>
          h(
            "a",
            { href: u, target: "_blank", rel: "noopener noreferrer" },
            h("img", {
              src: u,
              alt: `Ảnh ${i + 1} kèm tin báo ${tip.caseCode} (đã xóa thông tin ẩn), mở cỡ lớn`,
              loading: "lazy",
            }),
          ),
        ),
      ),
    );
  }

  function renderTimeline(entries) {
    timeline.replaceChildren(
      h("h3", {}, "Diễn biến"),
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
                // What the officer asked and the tipster answered, as said; other details as notes.
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
    );
  }

  /** A form of the action panel: a title, fields, one submit button; `send` does the request. */
  function actionForm(name, titleText, fields, submitText, send) {
    const submit = h("button", { type: "submit" }, submitText);
    const form = h(
      "form",
      { "aria-labelledby": `act-${name}-title`, "data-action": name },
      h("h3", { id: `act-${name}-title` }, titleText),
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
      const tipId = id;
      try {
        const message = await send(form);
        if (tipId !== id) return;
        form.reset();
        done.textContent = message;
        await refresh({ announceNew: false });
        onChanged();
        done.focus();
      } catch (err) {
        if (tipId !== id) return;
        alert.replaceChildren(h("p", {}, err.message));
        // Someone else acted first: show the tip as it is now.
        if (err instanceof ApiError && err.status === 409) await refresh({ announceNew: false });
      } finally {
        busy = false;
        submit.disabled = false;
      }
    });
    return form;
  }

  const post = (action, body) =>
    api(`/console/api/tips/${encodeURIComponent(id)}/${action}`, { method: "POST", body: body ?? {} });

  function renderActions(data) {
    // What is being typed survives a redraw (the tip changed while the officer wrote a question).
    const typed = {};
    for (const el of actions.querySelectorAll("textarea, input:not([type=hidden]), select"))
      if (el.value) typed[el.id] = el.value;
    const focusedId = actions.contains(document.activeElement) ? document.activeElement.id : undefined;

    const allowed = new Set(Array.isArray(data.actions) ? data.actions : []);
    const forms = [];
    const code = data.tip.caseCode;
    if (allowed.has("acknowledge"))
      forms.push(
        actionForm(
          "acknowledge",
          "Xác nhận",
          h(
            "p",
            { class: "fine" },
            "Báo là bạn đã nhận tin và đang xử lý (hệ thống thôi nhắc và không chuyển cấp trên).",
          ),
          "Xác nhận đã nhận",
          async () => {
            await post("acknowledge");
            return `Đã xác nhận tin báo ${code}.`;
          },
        ),
      );
    if (allowed.has("ask"))
      forms.push(
        actionForm(
          "ask",
          "Hỏi người báo tin",
          [
            h("label", { for: "ask-question" }, "Câu hỏi"),
            h("textarea", {
              id: "ask-question",
              name: "question",
              rows: "3",
              maxlength: "2000",
              required: true,
            }),
            h(
              "p",
              { class: "fine", id: "ask-note" },
              "Người báo tin nhận câu hỏi trong cuộc trò chuyện với bot. Bạn không biết họ là ai; câu trả lời hiện ở phần Diễn biến.",
            ),
          ],
          "Gửi câu hỏi",
          async (form) => {
            const question = form.elements.question.value.trim();
            if (!question) throw new ApiError(400, { message: "Hãy nhập câu hỏi." });
            await post("ask", { question });
            return "Đã gửi câu hỏi cho người báo tin.";
          },
        ),
      );
    const forwardTo = Array.isArray(data.forwardTo) ? data.forwardTo : [];
    if (allowed.has("forward") && forwardTo.length > 0)
      forms.push(
        actionForm(
          "forward",
          "Chuyển tiếp",
          [
            h(
              "div",
              { class: "field" },
              h("label", { for: "forward-to" }, "Chuyển cho"),
              h(
                "select",
                { id: "forward-to", name: "contactId", required: true },
                h("option", { value: "" }, "— Chọn người nhận —"),
                forwardTo.map((c) => h("option", { value: c.id }, c.name)),
              ),
            ),
            h(
              "div",
              { class: "field" },
              h("label", { for: "forward-note" }, "Ghi chú (không bắt buộc)"),
              h("textarea", { id: "forward-note", name: "note", rows: "2", maxlength: "1000" }),
            ),
          ],
          "Chuyển tiếp",
          async (form) => {
            const contactId = form.elements.contactId.value;
            const note = form.elements.note.value.trim();
            const name = forwardTo.find((c) => c.id === contactId)?.name ?? "";
            await post("forward", note ? { contactId, note } : { contactId });
            return `Đã chuyển tiếp tin báo ${code} đến ${name}.`;
          },
        ),
      );
    if (allowed.has("close")) {
      const duplicate = h(
        "div",
        { class: "field", hidden: true },
        h("label", { for: "close-duplicate" }, "Trùng với tin báo (mã)"),
        h("input", {
          id: "close-duplicate",
          name: "duplicateOf",
          autocomplete: "off",
          autocapitalize: "characters",
          spellcheck: "false",
          maxlength: "14",
          placeholder: "AT-7KQ3-M8",
          pattern: CASE_CODE,
          "aria-describedby": "close-duplicate-hint",
        }),
        h("span", { class: "fine", id: "close-duplicate-hint" }, "Mã của tin báo đã có về cùng sự việc."),
      );
      const outcome = h(
        "select",
        { id: "close-outcome", name: "outcome", required: true },
        h("option", { value: "" }, "— Chọn kết quả —"),
        (me.outcomes ?? []).map((o) => h("option", { value: o.id }, o.label)),
      );
      const sync = () => {
        const isDuplicate = outcome.value === "trung";
        duplicate.hidden = !isDuplicate;
        duplicate.querySelector("input").required = isDuplicate;
      };
      outcome.addEventListener("change", sync);
      const form = actionForm(
        "close",
        "Đóng vụ việc",
        [
          h("div", { class: "field" }, h("label", { for: "close-outcome" }, "Kết quả xử lý"), outcome),
          duplicate,
        ],
        "Đóng vụ việc",
        async (f) => {
          const body = { outcome: f.elements.outcome.value };
          if (body.outcome === "trung")
            body.duplicateOf = f.elements.duplicateOf.value.replace(/\s+/g, "").toUpperCase();
          await post("close", body);
          return `Đã đóng vụ việc ${code}.`;
        },
      );
      form.addEventListener("reset", () => setTimeout(sync));
      forms.push(form);
    }

    actions.replaceChildren(
      h("h3", {}, "Xử lý"),
      forms.length > 0
        ? h("div", { class: "act" }, forms)
        : h(
            "p",
            { class: "fine" },
            data.tip.state === "closed"
              ? "Vụ việc đã đóng."
              : "Bạn chỉ xem được tin báo này; việc xử lý thuộc cán bộ phụ trách.",
          ),
    );
    for (const [elId, value] of Object.entries(typed)) {
      const el = actions.querySelector(`#${CSS.escape(elId)}`);
      if (el) {
        el.value = value;
        el.dispatchEvent(new Event("change"));
      }
    }
    if (focusedId) document.getElementById(focusedId)?.focus();
  }

  function render(data, { announceNew }) {
    const tip = data.tip;
    heading.textContent = `Tin báo ${tip.caseCode}`;
    hint.hidden = true;
    const headKey = JSON.stringify({ ...tip, photoUrls: undefined });
    if (shown.head !== headKey) {
      shown.head = headKey;
      renderHead(tip);
    }
    renderPhotos(tip);
    const entries = Array.isArray(data.timeline) ? data.timeline : [];
    const timelineKey = JSON.stringify(entries);
    if (shown.timeline !== timelineKey) {
      shown.timeline = timelineKey;
      renderTimeline(entries);
      if (announceNew && entries.length > timelineLength && timelineLength > 0) {
        // Said aloud: the tipster's answer first, else the newest step that is not a delivery.
        const added = entries.slice(timelineLength);
        const answer = added.findLast((e) => e.action === "answered");
        const step = added.findLast((e) => e.action !== "delivered" && e.action !== "routed");
        if (answer) announce(`Người báo tin đã trả lời về tin báo ${tip.caseCode}: ${answer.detail ?? ""}`);
        else if (step)
          announce(
            `Tin báo ${tip.caseCode}: ${step.label ?? step.action}${step.who ? ` (${step.who})` : ""}.`,
          );
        // The confirmation of the officer's last action is old news now.
        done.textContent = "";
      }
      timelineLength = entries.length;
    }
    const actionsKey = JSON.stringify([data.actions, data.forwardTo, tip.state]);
    if (shown.actions !== actionsKey) {
      shown.actions = actionsKey;
      renderActions(data);
    }
  }

  /** Fetches the open tip again and redraws what changed. */
  async function refresh({ announceNew }) {
    if (!id) return;
    const tipId = id;
    fetchedAt = Date.now();
    try {
      const res = await api(`/console/api/tips/${encodeURIComponent(tipId)}`, { etag });
      if (tipId !== id || res.status === 304) return;
      etag = res.etag;
      render(res.body, { announceNew });
    } catch (e) {
      if (tipId !== id || (e instanceof ApiError && e.status === 401)) return;
      alert.replaceChildren(h("p", {}, e.message));
    }
  }

  return {
    element,
    async open(tipId, { focus }) {
      id = tipId;
      clear();
      heading.textContent = "Đang tải tin báo…";
      hint.hidden = true;
      if (focus) heading.focus();
      await refresh({ announceNew: false });
      if (tipId === id && shown.head === undefined) heading.textContent = "Không mở được tin báo";
    },
    close() {
      id = undefined;
      clear();
      heading.textContent = "Chọn một tin báo";
      hint.hidden = false;
    },
    refresh,
    /** Fetches the open tip again if it was last fetched `ms` ago or more. */
    refreshIfStale(ms = STALE_MS) {
      if (id && !busy && Date.now() - fetchedAt >= ms) return refresh({ announceNew: true });
    },
  };
}

// The library's documents as a table (status, "Đánh dấu thay thế…", "Xóa" with a confirmation
// step) and the form fields the documents page shares with it. See documents.js.
import { api, formatDay, h } from "./api.js";

/** While another admin's change is being built, the list is asked again this often. */
const POLL_MS = 5000;

export const statusText = (d) =>
  d.status === "replaced"
    ? `Đã bị thay thế${d.replacedBy ? ` bởi ${d.replacedBy}` : ""}${d.replacedOn ? ` (từ ${formatDay(d.replacedOn)})` : ""}`
    : "Còn hiệu lực";

/** A labelled input; `hint` is read with it. */
export function field(id, label, attrs = {}, hint) {
  const input = h("input", { id, name: id, ...attrs, "aria-describedby": hint ? `${id}-hint` : undefined });
  return {
    input,
    el: h(
      "div",
      { class: "field" },
      h("label", { for: id }, label),
      hint ? h("span", { class: "fine", id: `${id}-hint` }, hint) : "",
      input,
    ),
  };
}

/** Status, successor and the day it applies from: the successor's fields only for "replaced". */
export function statusFields(prefix, initial = "in force") {
  const status = h(
    "select",
    { id: `${prefix}-status`, name: "status" },
    h("option", { value: "in force", selected: initial === "in force" }, "Còn hiệu lực"),
    h("option", { value: "replaced", selected: initial === "replaced" }, "Đã bị thay thế"),
  );
  const by = field(
    `${prefix}-replaced-by`,
    "Số hiệu văn bản thay thế",
    { maxlength: 500 },
    "Ví dụ: 20/2026/QĐ-UBND",
  );
  const on = field(`${prefix}-replaced-on`, "Áp dụng văn bản thay thế từ ngày (không bắt buộc)", {
    type: "date",
  });
  const sync = () => {
    const replaced = status.value === "replaced";
    by.el.hidden = !replaced;
    on.el.hidden = !replaced;
    by.input.required = replaced;
  };
  status.addEventListener("change", sync);
  sync();
  return {
    els: [
      h("div", { class: "field" }, h("label", { for: `${prefix}-status` }, "Trạng thái"), status),
      by.el,
      on.el,
    ],
    values: () =>
      status.value === "replaced"
        ? {
            status: "replaced",
            replacedBy: by.input.value.trim(),
            ...(on.input.value && { replacedOn: on.input.value }),
          }
        : { status: "in force" },
  };
}

/**
 * The library's list. `change(path, method, body, text)` runs a change with the page's progress
 * and errors (its result, or undefined); `onBuilding(on)` shows another admin's build.
 */
export function createDocumentList({ change, tell, say, isBusy, onBuilding }) {
  const title = h("h2", { id: "doc-list-title", tabindex: "-1" }, "Văn bản trong thư viện");
  const list = h("div", { class: "doc-list" });
  const pane = h("div", { class: "doc-pane" });
  let documents = [];
  let timer;

  function openPane(d, kind) {
    const close = () => {
      pane.replaceChildren();
      title.focus();
    };
    const cancel = h(
      "button",
      { type: "button", on: { click: close } },
      kind === "remove" ? "Không xóa" : "Hủy",
    );
    const name = d.symbol ? `${d.symbol} — ${d.title}` : d.title;
    if (kind === "remove") {
      const yes = h("button", { type: "button", class: "danger", "data-change": "" }, "Xóa hẳn");
      yes.addEventListener("click", async () => {
        const ok = await change(
          `/console/api/documents/${encodeURIComponent(d.id)}`,
          "DELETE",
          undefined,
          "Đang gỡ văn bản khỏi kho của bot…",
        );
        if (!ok) return refresh();
        close();
        await refresh();
        tell(`Đã xóa “${d.title}”. Bot không còn trả lời từ văn bản này.`);
      });
      pane.replaceChildren(
        h(
          "div",
          { class: "card doc-confirm", role: "group", "aria-labelledby": "doc-pane-title" },
          h("h3", { id: "doc-pane-title", tabindex: "-1" }, `Xóa “${name}”?`),
          h("p", {}, "Văn bản sẽ bị gỡ khỏi thư viện và bot không trả lời từ nó nữa."),
          h("div", { class: "row doc-buttons" }, yes, cancel),
        ),
      );
    } else {
      const status = statusFields("doc-change", d.status === "replaced" ? "in force" : "replaced");
      const form = h(
        "form",
        { class: "card", "aria-labelledby": "doc-pane-title" },
        h("h3", { id: "doc-pane-title", tabindex: "-1" }, `Trạng thái của “${name}”`),
        h("div", { class: "doc-fields" }, status.els),
        h(
          "div",
          { class: "row doc-buttons" },
          h("button", { type: "submit", class: "primary", "data-change": "" }, "Lưu"),
          cancel,
        ),
      );
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        const ok = await change(
          `/console/api/documents/${encodeURIComponent(d.id)}/status`,
          "PUT",
          status.values(),
          "Đang cập nhật trạng thái…",
        );
        if (!ok) return refresh();
        close();
        await refresh();
        tell(`Đã lưu: “${d.title}” ${statusText(ok.document).toLowerCase()}.`);
      });
      pane.replaceChildren(form);
    }
    pane.querySelector("h3").focus();
  }

  function render() {
    if (documents.length === 0) {
      list.replaceChildren(h("p", { class: "empty" }, "Thư viện chưa có văn bản nào."));
      return;
    }
    const hidden = (text) => h("span", { class: "visually-hidden" }, ` ${text}`);
    const rows = documents.map((d) =>
      h(
        "tr",
        {},
        h(
          "th",
          { scope: "row" },
          h("span", { class: "doc-title" }, d.title),
          d.symbol ? h("span", { class: "fine doc-symbol" }, d.symbol) : "",
        ),
        h("td", {}, [d.issuer, d.date && formatDay(d.date)].filter(Boolean).join(", ") || "—"),
        h(
          "td",
          {},
          h(
            "span",
            { class: `badge doc-status${d.status === "replaced" ? " replaced" : ""}` },
            statusText(d),
          ),
        ),
        h(
          "td",
          { class: "doc-actions" },
          h(
            "button",
            { type: "button", "data-change": "", on: { click: () => openPane(d, "status") } },
            d.status === "replaced" ? "Đổi trạng thái…" : "Đánh dấu thay thế…",
            hidden(d.symbol ?? d.title),
          ),
          h(
            "button",
            { type: "button", "data-change": "", on: { click: () => openPane(d, "remove") } },
            "Xóa",
            hidden(d.symbol ?? d.title),
          ),
        ),
      ),
    );
    list.replaceChildren(
      h(
        "div",
        { class: "table-wrap", role: "region", tabindex: "0", "aria-labelledby": "doc-list-title" },
        h(
          "table",
          {},
          h("caption", { class: "visually-hidden" }, "Văn bản trong thư viện"),
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ["Văn bản", "Ban hành", "Trạng thái", "Thao tác"].map((t) => h("th", { scope: "col" }, t)),
            ),
          ),
          h("tbody", {}, rows),
        ),
      ),
    );
    for (const b of list.querySelectorAll("button[data-change]")) b.disabled = isBusy();
  }

  async function refresh() {
    clearTimeout(timer);
    try {
      const { body } = await api("/console/api/documents");
      documents = body.documents;
      render();
      // Another admin's change being built: shown, and asked again until it is published.
      onBuilding(body.building);
      if (body.building) timer = setTimeout(refresh, POLL_MS);
    } catch (err) {
      say(err.message);
    }
  }

  return {
    title,
    el: h("section", { class: "card", "aria-labelledby": "doc-list-title" }, title, list, pane),
    refresh,
    stop: () => clearTimeout(timer),
  };
}

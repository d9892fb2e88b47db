// What the directory pages share: writes that keep the server's problems, labelled fields with
// their own error line, and the edit form that shows a refused edit's problems next to its
// fields (or, for problems elsewhere in the directory, in its alert with where they are).
import { ApiError, api, h } from "./api.js";

/**
 * Sends a change to the API (`x-console: 1`). Resolves the JSON answer; rejects with an ApiError
 * whose `problems` are the server's `[{path, message, field?, where?}]` for a 400.
 */
export async function send(path, { method = "POST", body } = {}) {
  const headers = { "x-console": "1" };
  if (body !== undefined) headers["content-type"] = "application/json";
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, undefined);
  }
  const data = await res.json().catch(() => undefined);
  if (res.ok) return data;
  // Signed out: asking who we are lets the shell show how to sign in again.
  if (res.status === 401) await api("/console/api/me").catch(() => undefined);
  const error = new ApiError(res.status, data);
  error.problems = Array.isArray(data?.problems) ? data.problems : [];
  throw error;
}

let seq = 0;

/** A text input. */
export const input = (attrs = {}) => h("input", { type: "text", autocomplete: "off", ...attrs });

/** A select of `{id, label|name}`; `empty` adds a first option with no value. */
export function select(options, value, empty) {
  return h(
    "select",
    {},
    empty === undefined ? "" : h("option", { value: "" }, empty),
    options.map((o) => h("option", { value: o.id, selected: o.id === value }, o.label ?? o.name)),
  );
}

/** A labelled field: `control` gets an id, a name, its hint and its error line (aria-describedby). */
export function field(name, label, control, hint) {
  const id = `dir-${name}-${++seq}`;
  control.id = id;
  control.name = name;
  const error = h("p", { class: "field-error", id: `${id}-error`, hidden: true });
  const hintEl = hint ? h("p", { class: "fine field-hint", id: `${id}-hint` }, hint) : "";
  control.setAttribute("aria-describedby", [hintEl ? hintEl.id : "", error.id].filter(Boolean).join(" "));
  const wrap = h("div", { class: "field" }, h("label", { for: id }, label), hintEl, control, error);
  return { name, control, error, wrap };
}

/** A problem as a sentence: "Trường THPT Trần Phú: Không có xã/phường …". */
export const problemText = (p) => (p.where ? `${p.where}: ${p.message}` : p.message);

/** The problems of a refused change as a list, for an alert. */
export function problemList(message, problems) {
  return [
    h("p", {}, message),
    problems.length
      ? h(
          "ul",
          {},
          problems.map((p) => h("li", {}, problemText(p))),
        )
      : "",
  ];
}

/** "Trường THCS Đặng Thái Thân" → "truong-thcs-dang-thai-than": an id to start from. */
export function slug(text) {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[đĐ]/g, "d")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48)
    .replace(/-+$/, "");
}

/**
 * A form editing one entry. `submit(values)` returns the API's promise; on success `done(answer)`
 * runs. A refused edit shows each problem next to its field (`problem.field`), the others in
 * the form's alert, and moves the focus to the first one.
 */
export function editForm({ title, fields, submitLabel, submit, done, cancel }) {
  const alert = h("div", { class: "alert", role: "alert" });
  const button = h("button", { type: "submit" }, submitLabel);
  const heading = h("h3", { tabindex: "-1" }, title);
  const form = h(
    "form",
    { class: "card dir-form", novalidate: true },
    heading,
    h(
      "div",
      { class: "dir-fields" },
      fields.map((f) => f.wrap),
    ),
    alert,
    h("div", { class: "row" }, button, h("button", { type: "button", on: { click: cancel } }, "Hủy")),
  );
  form.setAttribute("aria-label", title);
  const byName = new Map(fields.map((f) => [f.name, f]));

  function clear() {
    alert.replaceChildren();
    for (const f of fields) {
      f.error.hidden = true;
      f.error.textContent = "";
      f.control.removeAttribute("aria-invalid");
    }
  }

  function show(e) {
    const problems = e.problems ?? [];
    const shown = [];
    const rest = [];
    for (const p of problems) {
      const f = p.field && byName.get(p.field);
      if (f && !f.wrap.hidden) {
        f.error.textContent = f.error.textContent ? `${f.error.textContent} ${p.message}` : p.message;
        f.error.hidden = false;
        f.control.setAttribute("aria-invalid", "true");
        if (!shown.includes(f)) shown.push(f);
      } else rest.push(p);
    }
    if (rest.length || !shown.length) alert.replaceChildren(...problemList(e.message, rest));
    (shown[0]?.control ?? heading).focus();
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clear();
    button.disabled = true;
    const values = {};
    // An empty field is left out: the server names it as missing, next to the field.
    for (const f of fields) if (!f.wrap.hidden && f.control.value !== "") values[f.name] = f.control.value;
    try {
      done(await submit(values));
    } catch (err) {
      if (err instanceof ApiError) show(err);
      else throw err;
    } finally {
      button.disabled = false;
    }
  });
  return { form, focus: () => (fields.find((f) => !f.wrap.hidden)?.control ?? heading).focus() };
}

/** "Sửa" with the entry's name for screen readers ("Sửa Phường An Hòa"). */
export function rowButton(text, name, onClick, attrs = {}) {
  return h(
    "button",
    { type: "button", class: "small", ...attrs, on: { click: onClick } },
    text,
    h("span", { class: "visually-hidden" }, ` ${name}`),
  );
}

/** A table with its caption and header row; `rows` are arrays of cells (nodes or text). */
export function table(caption, headers, rows) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "dir-table" },
      h("caption", {}, caption),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          headers.map((x) => h("th", { scope: "col" }, x)),
        ),
      ),
      h(
        "tbody",
        {},
        rows.map((cells) =>
          h(
            "tr",
            {},
            cells.map((c, i) => (i === 0 ? h("th", { scope: "row" }, c) : h("td", {}, c))),
          ),
        ),
      ),
    ),
  );
}

// Tables of counts: the dashboard's text alternatives to its charts and the printable report.
import { formatNumber, h } from "./api.js";

/**
 * A table whose first column names the rows (row headers) and whose other cells are numbers.
 * `head` is the header row's labels; `rows` and `foot` are `[label, ...numbers]`.
 */
export function countTable({ caption, head, rows, foot, captionHidden = false }) {
  const cell = (v, i) =>
    i === 0
      ? h("th", { scope: "row" }, v)
      : h("td", { class: "num" }, typeof v === "number" ? formatNumber(v) : v);
  // Scrolls sideways on a phone: focusable (and named) so that a keyboard can scroll it too.
  return h(
    "div",
    { class: "table-wrap", role: "region", tabindex: "0", "aria-label": caption || undefined },
    h(
      "table",
      {},
      caption ? h("caption", { class: captionHidden ? "visually-hidden" : undefined }, caption) : "",
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          head.map((label, i) => h("th", { scope: "col", class: i === 0 ? undefined : "num" }, label)),
        ),
      ),
      h(
        "tbody",
        {},
        rows.map((r) => h("tr", {}, r.map(cell))),
      ),
      foot ? h("tfoot", {}, h("tr", {}, foot.map(cell))) : "",
    ),
  );
}

/** A `ReportTable` of the API (workers/outcomes/report.ts): rows × columns with totals. */
export function reportTable(t) {
  return countTable({
    caption: t.title,
    head: [t.rowHeader, ...t.columns.map((c) => c.label), t.totalLabel],
    rows: t.rows.map((r) => [r.label, ...r.cells, r.total]),
    foot: [t.totals.label, ...t.totals.cells, t.totals.total],
  });
}

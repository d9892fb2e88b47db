// Sự việc của trường (#su-viec): the incidents the school reported, as far as the person may see
// them (the head and safety staff: all of the school's; a teacher: their own; an officer: those
// routed to them), filtered; `#su-viec/<id>` opens one (incident-detail.js). Above the list, the
// periodic report: counts by kind and outcome for a period — the plan's deadlines 15/11 and 10/5
// as presets, or any period — with "Tải XLSX" and "Trang in" (su-viec-in.html).
import { ApiError, api, formatDateTime, h, query, timeAgo, today } from "./api.js";
import { createIncidentDetail } from "./incident-detail.js";
import { reportTable } from "./tables.js";

const STATUS_FILTERS = [
  { id: "", label: "Tất cả" },
  { id: "open", label: "Đang xử lý" },
  { id: "closed", label: "Đã đóng" },
];

const fieldOf = (id, label, control) => h("div", { class: "field" }, h("label", { for: id }, label), control);
const dateInput = (id, name, value = "") => h("input", { type: "date", id, name, value, max: "9999-12-31" });

export function mountIncidents(section, { me, announce }) {
  const title = h("h1", { id: "title-su-viec", tabindex: "-1" }, "Sự việc của trường");
  const intro = h(
    "p",
    {},
    "Các vụ việc nhà trường đã báo cáo cho công an qua bot (/baocao). Hiệu trưởng và cán bộ phụ trách an ninh xem mọi vụ việc của trường; giáo viên xem vụ việc mình báo cáo; cán bộ công an xem vụ việc được chuyển đến mình. Tên học sinh chỉ hiện trong chi tiết vụ việc, không có trong số liệu và báo cáo.",
  );

  // ——— The periodic report ———
  const preset = h(
    "select",
    { id: "incident-preset", name: "preset" },
    h("option", { value: "" }, "Tự chọn"),
  );
  const now = today();
  const year = Number(now.slice(0, 4));
  // The school year starts on 1 September (the server's default period: from then to today).
  const from = dateInput(
    "incident-report-from",
    "from",
    `${Number(now.slice(5, 7)) >= 9 ? year : year - 1}-09-01`,
  );
  const to = dateInput("incident-report-to", "to", now);
  const schools = me.scope?.schools ?? [];
  const school =
    schools.length > 1 && me.scope?.kind !== "police"
      ? h(
          "select",
          { id: "incident-report-school", name: "school" },
          h("option", { value: "" }, "Tất cả trường"),
          schools.map((s) => h("option", { value: s.id }, s.name)),
        )
      : undefined;
  const problem = h("div", { class: "alert", role: "alert" });
  const link = (text, cls) => h("a", { class: `button ${cls}` }, text);
  const xlsx = link("Tải XLSX", "primary");
  const print = link("Trang in", "");
  const countsOut = h("div");
  const reportForm = h(
    "form",
    { class: "card period", "aria-labelledby": "incident-report-title" },
    h("h2", { id: "incident-report-title" }, "Báo cáo định kỳ"),
    h(
      "p",
      { class: "fine" },
      "Kế hoạch của nhà trường yêu cầu báo cáo trước ngày 15/11 (sơ kết) và 10/5 (tổng kết năm học). Chọn kỳ báo cáo, hoặc chọn ngày.",
    ),
    h(
      "div",
      { class: "row" },
      fieldOf(preset.id, "Kỳ báo cáo", preset),
      fieldOf(from.id, "Từ ngày", from),
      fieldOf(to.id, "Đến ngày", to),
      school ? fieldOf(school.id, "Trường", school) : "",
    ),
    problem,
    countsOut,
    h("div", { class: "downloads" }, xlsx, print),
  );
  reportForm.addEventListener("submit", (e) => e.preventDefault());
  let presets = [];

  function reportQuery() {
    return query({ from: from.value, to: to.value, school: school?.value });
  }

  async function loadCounts() {
    const bad =
      !from.value || !to.value
        ? "Hãy chọn ngày bắt đầu và ngày kết thúc."
        : to.value < from.value
          ? "Ngày kết thúc phải sau ngày bắt đầu."
          : "";
    problem.replaceChildren(bad ? h("p", {}, bad) : "");
    for (const [a, href, download] of [
      [xlsx, `/console/api/incidents/report.xlsx${reportQuery()}`, true],
      [print, `/console/su-viec-in.html${reportQuery()}`, false],
    ]) {
      if (bad) {
        a.removeAttribute("href");
        a.setAttribute("aria-disabled", "true");
      } else {
        a.href = href;
        a.removeAttribute("aria-disabled");
        if (download) a.setAttribute("download", "");
      }
    }
    if (bad) return countsOut.replaceChildren();
    try {
      const data = (await api(`/console/api/incidents/counts${reportQuery()}`)).body;
      if (presets.length === 0 && Array.isArray(data.presets)) {
        presets = data.presets;
        preset.append(...presets.map((p) => h("option", { value: p.id }, p.label)));
      }
      countsOut.replaceChildren(
        h("p", {}, data.period?.label ?? ""),
        // One node: h() flattens the schools' sections (replaceChildren would print an array).
        h(
          "div",
          {},
          data.schools.length === 0
            ? h("p", { class: "empty" }, "Không có vụ việc nào trong kỳ.")
            : data.schools.map((s) =>
                h(
                  "section",
                  { "aria-label": s.schoolName },
                  h("h3", {}, `${s.schoolName}: ${s.total} vụ việc, ${s.open} đang xử lý`),
                  s.whole
                    ? ""
                    : h("p", { class: "fine" }, "Chỉ gồm các vụ việc bạn được xem, không phải toàn trường."),
                  reportTable({ ...s.table, title: `Số vụ việc theo loại và kết quả — ${s.schoolName}` }),
                ),
              ),
        ),
      );
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401))
        countsOut.replaceChildren(h("p", { class: "alert" }, e.message));
    }
  }
  preset.addEventListener("change", () => {
    const p = presets.find((x) => x.id === preset.value);
    if (p) {
      from.value = p.from;
      to.value = p.to;
    }
    void loadCounts();
  });
  for (const el of [from, to, school].filter(Boolean))
    el.addEventListener("change", () => {
      preset.value = "";
      void loadCounts();
    });

  // ——— The list ———
  const status = h(
    "select",
    { id: "incident-status", name: "status" },
    STATUS_FILTERS.map((s) => h("option", { value: s.id }, s.label)),
  );
  const kind = h("select", { id: "incident-kind", name: "kind" }, h("option", { value: "" }, "Tất cả"));
  const listFrom = dateInput("incident-from", "from");
  const listTo = dateInput("incident-to", "to");
  const filters = h(
    "form",
    { class: "filters", "aria-label": "Lọc vụ việc" },
    h(
      "div",
      { class: "grid" },
      fieldOf(status.id, "Tình trạng", status),
      fieldOf(kind.id, "Loại vụ việc", kind),
      fieldOf(listFrom.id, "Xảy ra từ ngày", listFrom),
      fieldOf(listTo.id, "Đến ngày", listTo),
    ),
  );
  filters.addEventListener("submit", (e) => e.preventDefault());
  filters.addEventListener("change", () => void loadList());
  const count = h("p", { class: "fine", id: "incidents-count" });
  const list = h("ul", {
    class: "tips",
    "aria-labelledby": "incidents-title",
    "aria-describedby": "incidents-count",
  });
  const empty = h("p", { class: "empty", hidden: true }, "Không có vụ việc nào.");
  const listError = h("div", { class: "alert", role: "alert" });
  const listPane = h(
    "div",
    { class: "list-pane" },
    filters,
    h("div", { class: "list-head" }, h("h2", { id: "incidents-title" }, "Vụ việc"), count),
    listError,
    list,
    empty,
  );
  const detail = createIncidentDetail({
    onChanged: () => {
      void loadList();
      void loadCounts();
    },
  });
  const layout = h("div", { class: "inbox" }, listPane, detail.element);
  section.append(title, intro, reportForm, layout);
  let selected;
  let links = new Map();

  function item(i) {
    const a = h(
      "a",
      {
        class: "tip-link",
        href: `#su-viec/${encodeURIComponent(i.id)}`,
        "aria-current": i.id === selected ? "true" : undefined,
      },
      h(
        "span",
        { class: "tip-line" },
        h("span", { class: "code" }, i.caseCode),
        i.urgency === "khan-cap" ? h("span", { class: "badge urgent" }, i.urgencyLabel) : "",
        h("span", { class: "badge state" }, i.statusLabel),
        i.outcomeLabel ? h("span", { class: "badge state" }, i.outcomeLabel) : "",
      ),
      h("span", { class: "tip-line" }, `${i.kindLabel} · ${i.placeLabel}`),
      h(
        "span",
        { class: "tip-line" },
        h("span", { class: "tip-where" }, `${i.schoolName} · ${i.reporterName}`),
        h(
          "time",
          {
            class: "tip-age",
            datetime: new Date(i.occurredAt).toISOString(),
            title: formatDateTime(i.occurredAt),
          },
          timeAgo(i.occurredAt),
        ),
      ),
    );
    links.set(i.id, a);
    return h("li", {}, a);
  }

  async function loadList() {
    const q = query({ status: status.value, kind: kind.value, from: listFrom.value, to: listTo.value });
    try {
      const data = (await api(`/console/api/incidents${q}`)).body;
      listError.replaceChildren();
      if (kind.options.length === 1 && Array.isArray(data.kinds))
        kind.append(...data.kinds.map((k) => h("option", { value: k.id }, k.label)));
      links = new Map();
      list.replaceChildren(...data.incidents.map(item));
      empty.hidden = data.incidents.length > 0;
      count.textContent = `${data.incidents.length} vụ việc`;
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) listError.replaceChildren(h("p", {}, e.message));
    }
  }

  function select(id) {
    const previous = selected;
    selected = id || undefined;
    for (const [key, a] of links) {
      if (key === selected) a.setAttribute("aria-current", "true");
      else a.removeAttribute("aria-current");
    }
    layout.classList.toggle("showing-detail", Boolean(selected));
    if (selected && selected !== previous) void detail.open(selected, { focus: true });
    if (!selected && previous) {
      detail.close();
      links.get(previous)?.focus();
    }
  }

  let loaded = false;
  return {
    show(rest) {
      if (!loaded) {
        loaded = true;
        void loadCounts();
        void loadList().then(() => announce(count.textContent));
      }
      select(rest);
    },
    hide() {},
  };
}

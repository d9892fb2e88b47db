// Thống kê: the period's anonymous statistics (GET /console/api/stats, `Dashboard` in
// workers/outcomes/report.ts) as Chart.js charts, each with its numbers as a table for screen
// readers and anyone who prefers them, and the times to acknowledge and close as figures.
import { ApiError, api, formatMinutes, formatNumber, h, query } from "./api.js";
import { periodFields } from "./period.js";
import { countTable } from "./tables.js";

/** Okabe–Ito colours: told apart with the common colour-vision deficiencies. */
const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#6b7583"];
const INK = "#1b1f24";
const GRID = "#d5dbe2";
/** A chart of communes or schools draws at most this many bars. */
const TOP = 15;

function setChartDefaults(Chart) {
  Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
  Chart.defaults.font.size = 13;
  Chart.defaults.color = INK;
  Chart.defaults.borderColor = GRID;
  Chart.defaults.maintainAspectRatio = false;
  if (matchMedia("(prefers-reduced-motion: reduce)").matches) Chart.defaults.animation = false;
}

const sum = (xs) => xs.reduce((a, b) => a + b, 0);
/** "Xã A: 3, Xã B: 0": a chart's numbers in a sentence, for its accessible name. */
const spoken = (items) => items.map((i) => `${i.label}: ${formatNumber(i.count)}`).join("; ");

export function mountDashboard(section, { me }) {
  const Chart = window.Chart;
  if (Chart) setChartDefaults(Chart);
  const period = periodFields(me, "stats", { schools: true });
  const problem = h("div", { class: "alert", role: "alert" });
  const submit = h("button", { type: "submit" }, "Xem");
  const form = h(
    "form",
    { class: "card period", "aria-labelledby": "stats-form-title" },
    h("h2", { id: "stats-form-title", class: "visually-hidden" }, "Khoảng thời gian và địa bàn"),
    h("div", { class: "row" }, period.fields, submit),
    problem,
  );
  const summary = h("p", { role: "status" });
  const body = h("div");
  section.append(h("h1", { id: "title-thong-ke", tabindex: "-1" }, "Thống kê"), form, summary, body);
  if (!Chart)
    section.insertBefore(
      h("p", { class: "alert" }, "Không tải được thư viện biểu đồ: số liệu được trình bày dạng bảng."),
      body,
    );

  const charts = [];
  let loaded = false;
  let asked = 0;

  /**
   * A chart in a figure: a caption, the canvas (role img, named by `description`) and the same
   * numbers as a table under "Bảng số liệu".
   */
  function chartFigure({ id, title, note, description, config, table, wide = false, size = "" }) {
    const canvas = h("canvas", { id: `chart-${id}`, role: "img", "aria-label": `${title}. ${description}` });
    const figure = h(
      "figure",
      { class: `chart${wide ? " wide" : ""}`, "aria-labelledby": `cap-${id}` },
      h(
        "figcaption",
        { id: `cap-${id}` },
        title,
        note ? h("span", { class: "fine chart-note" }, ` — ${note}`) : "",
      ),
      Chart && config ? h("div", { class: `canvas ${size}` }, canvas) : "",
      Chart && config ? h("details", {}, h("summary", {}, "Bảng số liệu"), table) : table,
    );
    return { figure, canvas, config };
  }

  const barConfig = (labels, data, { label, horizontal = false, color = PALETTE[0] } = {}) => ({
    type: "bar",
    data: { labels, datasets: [{ label, data, backgroundColor: color }] },
    options: {
      indexAxis: horizontal ? "y" : "x",
      plugins: { legend: { display: false } },
      scales: {
        [horizontal ? "x" : "y"]: { beginAtZero: true, ticks: { precision: 0 } },
      },
    },
  });

  /** The height class of a horizontal bar chart of n bars. */
  const heightFor = (n) => (n > 12 ? "xtall" : n > 6 ? "tall" : "");

  function render(d) {
    for (const c of charts.splice(0)) c.destroy();
    const byOutcome = d.byOutcome ?? [];
    const open = byOutcome.find((o) => o.key === "open")?.count ?? 0;
    summary.textContent = `${d.area} · ${d.period?.label ?? ""}: ${formatNumber(d.total)} tin báo.`;

    const figure = (label, value, note) =>
      h("div", { class: "figure" }, h("dt", {}, label), h("dd", {}, value, note ? h("small", {}, note) : ""));
    const time = (q) => (q?.n ? formatMinutes(q.p50) : "—");
    const p90 = (q) =>
      q?.n ? `90% trong ${formatMinutes(q.p90)} · ${formatNumber(q.n)} tin` : "Chưa có tin nào";
    const figures = h(
      "dl",
      { class: "figures" },
      figure("Tổng số tin báo", formatNumber(d.total)),
      figure("Đang mở", formatNumber(open)),
      figure("Thời gian xác nhận (trung vị)", time(d.ackMinutes), p90(d.ackMinutes)),
      figure("Thời gian đóng vụ việc (trung vị)", time(d.closeMinutes), p90(d.closeMinutes)),
    );

    const months = d.byMonth?.months ?? [];
    const series = d.byMonth?.series ?? [];
    const monthLabels = months.map((m) => m.label);
    const perMonth = chartFigure({
      id: "month",
      title: "Tin báo theo tháng và loại sự việc",
      description: months.map((m) => `${m.label}: ${formatNumber(m.total)}`).join("; "),
      wide: true,
      size: "tall",
      config: {
        type: "bar",
        data: {
          labels: monthLabels,
          datasets: series.map((s, i) => ({
            label: s.label,
            data: s.counts,
            backgroundColor: PALETTE[i % PALETTE.length],
          })),
        },
        options: {
          plugins: { legend: { position: "bottom" } },
          scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        },
      },
      table: countTable({
        caption: "Tin báo theo tháng và loại sự việc",
        captionHidden: true,
        head: ["Tháng", ...series.map((s) => s.label), "Tổng"],
        rows: months.map((m, i) => [m.label, ...series.map((s) => s.counts[i] ?? 0), m.total]),
        foot: ["Tổng", ...series.map((s) => sum(s.counts)), d.total],
      }),
    });

    /** A bar chart of counts; of many places, the TOP with most tips (the table keeps them all). */
    const countsFigure = (id, title, items, rowHeader, opts = {}) => {
      const many = opts.horizontal && items.length > TOP;
      const drawn = many ? [...items].sort((a, b) => b.count - a.count).slice(0, TOP) : items;
      return chartFigure({
        id,
        title,
        note: many ? `${TOP} nơi nhiều tin báo nhất; bảng số liệu có đủ ${items.length} nơi.` : undefined,
        description: drawn.length ? spoken(drawn) : "Không có số liệu.",
        size: opts.horizontal ? heightFor(drawn.length) : "",
        config: drawn.length
          ? barConfig(
              drawn.map((i) => i.label),
              drawn.map((i) => i.count),
              { label: "Số tin báo", ...opts },
            )
          : undefined,
        table: items.length
          ? countTable({
              caption: title,
              captionHidden: true,
              head: [rowHeader, "Số tin báo"],
              rows: items.map((i) => [i.label, i.count]),
            })
          : h("p", { class: "fine" }, "Không có số liệu."),
      });
    };

    const communes = d.byCommune ?? [];
    const schools = d.bySchool ?? [];
    const figures_ = [perMonth];
    if (communes.length > 0)
      figures_.push(
        countsFigure("commune", "Tin báo theo xã/phường", communes, "Xã/phường", { horizontal: true }),
      );
    if (schools.length > 0)
      figures_.push(
        countsFigure("school", "Tin báo theo trường", schools, "Trường", {
          horizontal: true,
          color: PALETTE[2],
        }),
      );
    const outcomeTotal = sum(byOutcome.map((o) => o.count));
    figures_.push(
      chartFigure({
        id: "outcome",
        title: "Kết quả xử lý",
        description: spoken(byOutcome),
        config:
          outcomeTotal > 0
            ? {
                type: "doughnut",
                data: {
                  labels: byOutcome.map((o) => o.label),
                  datasets: [
                    {
                      data: byOutcome.map((o) => o.count),
                      backgroundColor: byOutcome.map((o, i) =>
                        o.key === "open" ? PALETTE[6] : PALETTE[i % (PALETTE.length - 1)],
                      ),
                      borderColor: "#ffffff",
                    },
                  ],
                },
                options: { plugins: { legend: { position: "bottom" } } },
              }
            : undefined,
        table: countTable({
          caption: "Kết quả xử lý",
          captionHidden: true,
          head: ["Kết quả", "Số tin báo"],
          rows: byOutcome.map((o) => [o.label, o.count]),
          foot: ["Tổng", outcomeTotal],
        }),
      }),
    );
    figures_.push(
      countsFigure("age", "Vụ việc đang mở theo thời gian chờ", d.openByAge ?? [], "Đã chờ", {
        color: PALETTE[1],
      }),
    );

    body.replaceChildren(
      figures,
      d.total === 0 ? h("p", { class: "empty" }, "Chưa có tin báo nào trong khoảng thời gian này.") : "",
      h(
        "div",
        { class: "charts" },
        figures_.map((f) => f.figure),
      ),
    );
    if (Chart) for (const f of figures_) if (f.config) charts.push(new Chart(f.canvas, f.config));
  }

  async function load() {
    const message = period.problem();
    problem.replaceChildren(message ? h("p", {}, message) : "");
    if (message) return;
    const n = ++asked;
    submit.disabled = true;
    summary.textContent = "Đang tải số liệu…";
    try {
      const res = await api(`/console/api/stats${query(period.values())}`);
      if (n === asked) render(res.body);
    } catch (e) {
      if (n !== asked) return;
      summary.textContent = "";
      if (!(e instanceof ApiError && e.status === 401)) problem.replaceChildren(h("p", {}, e.message));
    } finally {
      if (n === asked) submit.disabled = false;
    }
  }
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void load();
  });

  return {
    show() {
      if (!loaded) {
        loaded = true;
        void load();
      }
    },
    hide() {},
  };
}

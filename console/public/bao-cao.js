// The printable periodic report: /console/bao-cao.html?from=…&to=…&commune=… renders
// GET /console/api/report (`PeriodicReport` in workers/outcomes/report.ts) as two tables with
// totals. Anonymous counts only.
import { ApiError, api, h, query, signInHelp } from "./api.js";
import { reportTable } from "./tables.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const asked = query({
  from: params.get("from") ?? "",
  to: params.get("to") ?? "",
  commune: params.get("commune") ?? "",
  school: params.get("school") ?? "",
});
$("xlsx").href = `/console/api/report.xlsx${asked}`;
$("csv").href = `/console/api/report.csv${asked}`;
$("print").addEventListener("click", () => window.print());

async function start() {
  let report;
  try {
    report = (await api(`/console/api/report${asked}`)).body;
  } catch (e) {
    $("loading").remove();
    if (e instanceof ApiError && e.status === 401) return $("tables").replaceChildren(signInHelp());
    return $("error").replaceChildren(h("p", {}, e.message));
  }
  $("title").textContent = report.title;
  document.title = `${report.title} — ${report.period?.label ?? ""}`;
  $("loading").replaceWith(
    h("p", {}, h("strong", {}, report.province?.name ?? "")),
    report.area && report.area !== report.province?.name ? h("p", {}, `Địa bàn: ${report.area}`) : "",
    h("p", {}, report.period?.label ?? ""),
    h("p", { class: "fine" }, report.generatedAtLabel ?? ""),
  );
  $("tables").replaceChildren(
    h("section", { "aria-label": report.byPlace.title }, reportTable(report.byPlace)),
    h("section", { "aria-label": report.byOutcome.title }, reportTable(report.byOutcome)),
    h(
      "p",
      { class: "fine" },
      "Số liệu thống kê ẩn danh của Cổng trường an toàn: không gồm nội dung tin báo hay thông tin về người báo tin.",
    ),
  );
  $("print").disabled = false;
}

void start();

// The printable incident report of a school: /console/su-viec-in.html?from=…&to=…&school=…
// renders GET /console/api/incidents/report in the layout of a school's report (the school and
// the nation's heading, the period, I. counts by kind × outcome, II. the incidents, recipients
// and the head's signature), one per school. Counts, codes and labels only: no pupil's name.
import { ApiError, api, h, query, signInHelp } from "./api.js";
import { reportTable } from "./tables.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const asked = query({
  from: params.get("from") ?? "",
  to: params.get("to") ?? "",
  school: params.get("school") ?? "",
});
$("xlsx").href = `/console/api/incidents/report.xlsx${asked}`;
$("print").addEventListener("click", () => window.print());

function incidentList(report, school, n) {
  if (school.incidents.length === 0) return h("p", {}, report.none);
  const [no, ...rest] = report.listColumns;
  return h(
    "div",
    {
      class: "table-wrap",
      role: "region",
      tabindex: "0",
      "aria-label": `${report.listTitle} — ${school.schoolName}`,
    },
    h(
      "table",
      { class: "incident-list" },
      h(
        "caption",
        { class: "visually-hidden", id: `list-${n}` },
        `${report.listTitle} — ${school.schoolName}`,
      ),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          [no, ...rest].map((c) => h("th", { scope: "col" }, c)),
        ),
      ),
      h(
        "tbody",
        {},
        school.incidents.map((i, k) =>
          h(
            "tr",
            {},
            h("td", { class: "num" }, String(k + 1)),
            h("th", { scope: "row", class: "code" }, i.caseCode),
            [i.occurred, i.kind, i.place, i.urgency, i.status, i.outcome, i.closed].map((v) =>
              h("td", {}, v),
            ),
          ),
        ),
      ),
    ),
  );
}

function schoolReport(report, school, n) {
  const [recipientsTitle, ...recipients] = report.recipients;
  return h(
    "article",
    { class: "school-report", "aria-labelledby": `report-${n}` },
    h(
      "div",
      { class: "official-head" },
      h(
        "p",
        { class: "official-line" },
        report.provinceName.toUpperCase(),
        h("br"),
        h("strong", {}, school.schoolName.toUpperCase()),
      ),
      h(
        "p",
        { class: "official-line" },
        h("strong", {}, report.nation),
        h("br"),
        h("strong", {}, report.motto),
      ),
    ),
    h(
      "h1",
      { id: `report-${n}`, class: "report-title" },
      report.title,
      h("br"),
      h("span", { class: "report-subtitle" }, report.subtitle),
    ),
    h("p", { class: "centre" }, h("em", {}, report.period.label)),
    school.whole ? "" : h("p", { class: "centre fine" }, report.partial),
    h("section", {}, h("h2", {}, report.countsTitle), reportTable(school.table)),
    h("section", {}, h("h2", {}, report.listTitle), incidentList(report, school, n)),
    h("p", { class: "fine" }, report.privacy),
    h("p", { class: "fine" }, report.generatedAtLabel),
    h(
      "div",
      { class: "official-foot" },
      h(
        "div",
        {},
        h("p", { class: "official-line" }, h("strong", {}, h("em", {}, recipientsTitle))),
        recipients.map((r) => h("p", { class: "official-line fine" }, r)),
      ),
      h(
        "div",
        { class: "centre" },
        h("p", { class: "official-line" }, h("strong", {}, report.signer)),
        h("p", { class: "official-line" }, h("em", {}, report.signHint)),
      ),
    ),
  );
}

async function start() {
  let report;
  try {
    report = (await api(`/console/api/incidents/report${asked}`)).body;
  } catch (e) {
    $("loading").remove();
    if (e instanceof ApiError && e.status === 401) return $("report").replaceChildren(signInHelp());
    return $("error").replaceChildren(h("p", {}, e.message));
  }
  $("loading").remove();
  document.title = `${report.subtitle} — ${report.period.label}`;
  $("report").replaceChildren(
    ...(report.schools.length === 0
      ? [h("h1", {}, report.subtitle), h("p", {}, report.period.label), h("p", {}, report.none)]
      : report.schools.map((s, n) => schoolReport(report, s, n))),
  );
  $("print").disabled = false;
}

void start();

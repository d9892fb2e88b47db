// Báo cáo: the periodic report of a period and area as XLSX or CSV downloads and a printable page.
// Only anonymous counts leave the server here (never tip text).
import { h, query } from "./api.js";
import { periodFields } from "./period.js";

export function mountReport(section, { me }) {
  const period = periodFields(me, "report");
  const problem = h("div", { class: "alert", role: "alert" });
  const link = (text, cls) => h("a", { class: `button ${cls}` }, text);
  const xlsx = link("Tải XLSX", "primary");
  const csv = link("Tải CSV", "");
  const print = link("Trang in", "");
  const form = h(
    "form",
    { class: "card period", "aria-labelledby": "report-form-title" },
    h("h2", { id: "report-form-title" }, "Khoảng thời gian và địa bàn"),
    h("div", { class: "row" }, period.fields),
    problem,
    h("div", { class: "downloads" }, xlsx, csv, print),
  );

  function update() {
    const message = period.problem();
    problem.replaceChildren(message ? h("p", {}, message) : "");
    const q = query(period.values());
    const links = [
      [xlsx, `/console/api/report.xlsx${q}`, true],
      [csv, `/console/api/report.csv${q}`, true],
      [print, `/console/bao-cao.html${q}`, false],
    ];
    for (const [a, href, download] of links) {
      // A link with no period goes nowhere: without href it is no longer a link to follow.
      if (message) {
        a.removeAttribute("href");
        a.setAttribute("aria-disabled", "true");
      } else {
        a.href = href;
        a.removeAttribute("aria-disabled");
        if (download) a.setAttribute("download", "");
      }
    }
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  form.addEventListener("submit", (e) => e.preventDefault());
  update();

  section.append(
    h("h1", { id: "title-bao-cao", tabindex: "-1" }, "Báo cáo"),
    h(
      "p",
      {},
      "Báo cáo định kỳ (ví dụ trước 10/5 và 15/11): số tin báo theo xã/phường × loại sự việc và theo kết quả xử lý, có dòng và cột tổng. Chỉ gồm số liệu thống kê ẩn danh, không có nội dung tin báo hay thông tin về người báo tin.",
    ),
    form,
  );
  return { show() {}, hide() {} };
}

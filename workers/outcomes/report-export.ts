import ExcelJS from "exceljs";
import type { PeriodicReport } from "./report.js";
import type { ReportTable } from "./report-table.js";

/**
 * The periodic report as files to download: an XLSX workbook (both tables) and a CSV of the
 * commune × category table. Only what `PeriodicReport` holds — counts and labels — is written.
 */

/** Excel's limits on a sheet name: 31 characters, none of `\ / ? * [ ] :`. */
function sheetName(name: string, taken: ReadonlySet<string>): string {
  const base = name.replace(/[\\/?*[\]:]/g, " ").slice(0, 31) || "Sheet";
  let candidate = base;
  for (let i = 2; taken.has(candidate.toLowerCase()); i++) candidate = `${base.slice(0, 28)} ${i}`;
  return candidate;
}

function addSheet(workbook: ExcelJS.Workbook, report: PeriodicReport, table: ReportTable): void {
  const taken = new Set(workbook.worksheets.map((w) => w.name.toLowerCase()));
  const width = table.columns.length + 2;
  const header = [table.rowHeader, ...table.columns.map((c) => c.label), table.totalLabel];
  const sheet = workbook.addWorksheet(sheetName(table.sheet, taken), {
    // The header stays in view while scrolling; printed landscape, one page wide.
    views: [{ state: "frozen", xSplit: 1, ySplit: 5 }],
    pageSetup: { orientation: "landscape", fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });

  const titled = (text: string, size: number, bold: boolean) => {
    const row = sheet.addRow([text]);
    sheet.mergeCells(row.number, 1, row.number, width);
    row.getCell(1).font = { bold, size };
  };
  // Rows 1–4: the report's title, its area and province, its period, this table's title.
  titled(report.title, 14, true);
  titled(
    report.area === report.province.name ? report.province.name : `${report.area} (${report.province.name})`,
    12,
    false,
  );
  titled(report.period.label, 12, false);
  titled(table.title, 12, true);

  const head = sheet.addRow(header);
  head.font = { bold: true };
  head.alignment = { vertical: "middle", wrapText: true };
  for (const row of table.rows) sheet.addRow([row.label, ...row.cells, row.total]);
  const totals = sheet.addRow([table.totals.label, ...table.totals.cells, table.totals.total]);
  totals.font = { bold: true };
  sheet.getColumn(width).font = { bold: true };
  for (const row of [head, totals])
    row.eachCell((cell) => {
      cell.border = { top: { style: "thin" }, bottom: { style: "thin" } };
    });
  const note = sheet.addRow([report.generatedAtLabel]);
  note.getCell(1).font = { italic: true };

  const labels = [table.rowHeader, ...table.rows.map((r) => r.label), table.totals.label];
  sheet.getColumn(1).width = Math.min(48, Math.max(14, ...labels.map((l) => l.length + 2)));
  for (let i = 2; i <= width; i++)
    sheet.getColumn(i).width = Math.min(24, Math.max(10, (header[i - 1] ?? "").length * 0.6 + 2));
}

/**
 * The report as an XLSX workbook: one sheet per table, each under title rows (the report's
 * title, the area and province, the period, the table's title), a bold header, the counts as
 * numbers, a bold total row and column, and the "generated at" line below.
 */
export async function reportXlsx(report: PeriodicReport): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "safe-school-gate";
  workbook.created = new Date(report.generatedAt);
  workbook.title = report.title;
  for (const table of [report.byPlace, report.byOutcome]) addSheet(workbook, report, table);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/**
 * A CSV field (RFC 4180): quoted when it holds a comma, quote or line break, quotes doubled.
 * Text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) is
 * prefixed with `'`; numbers are written as they are.
 */
function field(value: string | number): string {
  if (typeof value === "number") return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The commune (or school) × category table as CSV: a header row, one row per place, the total
 * row; CRLF line ends and a UTF-8 byte order mark, so that Excel reads the Vietnamese letters.
 */
export function reportCsv(report: PeriodicReport): string {
  const t = report.byPlace;
  const lines: Array<Array<string | number>> = [
    [t.rowHeader, ...t.columns.map((c) => c.label), t.totalLabel],
    ...t.rows.map((r) => [r.label, ...r.cells, r.total]),
    [t.totals.label, ...t.totals.cells, t.totals.total],
  ];
  return `\uFEFF${lines.map((line) => line.map(field).join(",")).join("\r\n")}\r\n`;
}

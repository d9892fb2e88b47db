import ExcelJS from "exceljs";
import type { IncidentReport, IncidentReportSchool } from "./incident-report.js";

/**
 * The school's incident report as an XLSX workbook: one sheet per school, laid out as the printed
 * report (heading, period, I. counts by kind × outcome with totals, II. the incidents, the
 * recipients and the head's signature). Only what `IncidentReport` holds is written: counts,
 * codes, times and labels — no description, place text or name.
 */

/** Columns of the sheet: the list's nine (No., code, time, kind, place, urgency, status, outcome, closed). */
const WIDTH = 9;
const WIDTHS = [6, 14, 18, 26, 20, 12, 18, 22, 12];

/** Excel's limits on a sheet name: 31 characters, none of `\ / ? * [ ] :`, unique. */
function sheetName(name: string, taken: ReadonlySet<string>): string {
  const base = name.replace(/[\\/?*[\]:]/g, " ").slice(0, 31) || "Sheet";
  let candidate = base;
  for (let i = 2; taken.has(candidate.toLowerCase()); i++) candidate = `${base.slice(0, 28)} ${i}`;
  return candidate;
}

function addSchool(workbook: ExcelJS.Workbook, report: IncidentReport, school: IncidentReportSchool): void {
  const taken = new Set(workbook.worksheets.map((w) => w.name.toLowerCase()));
  const sheet = workbook.addWorksheet(sheetName(school.schoolName, taken), {
    pageSetup: { orientation: "landscape", paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  WIDTHS.forEach((w, i) => {
    sheet.getColumn(i + 1).width = w;
  });
  const centre = { horizontal: "center", vertical: "middle", wrapText: true } as const;
  /** A row of text across columns `from`–`to` (merged). */
  const span = (row: ExcelJS.Row, from: number, to: number, text: string, font: Partial<ExcelJS.Font>) => {
    sheet.mergeCells(row.number, from, row.number, to);
    const cell = row.getCell(from);
    cell.value = text;
    cell.font = font;
    cell.alignment = centre;
  };
  const blank = () => sheet.addRow([]);

  // The heading: the school (left), the nation and its motto (right), as official letters are.
  const r1 = sheet.addRow([]);
  span(r1, 1, 4, report.provinceName.toUpperCase(), { size: 11 });
  span(r1, 5, WIDTH, report.nation, { bold: true, size: 11 });
  const r2 = sheet.addRow([]);
  span(r2, 1, 4, school.schoolName.toUpperCase(), { bold: true, size: 11 });
  span(r2, 5, WIDTH, report.motto, { bold: true, size: 11 });
  blank();
  span(sheet.addRow([]), 1, WIDTH, report.title, { bold: true, size: 14 });
  span(sheet.addRow([]), 1, WIDTH, report.subtitle, { bold: true, size: 12 });
  span(sheet.addRow([]), 1, WIDTH, report.period.label, { italic: true, size: 12 });
  if (!school.whole) span(sheet.addRow([]), 1, WIDTH, report.partial, { italic: true, size: 11 });
  blank();

  // I. Counts: kinds × (open, outcomes) with the total column and row.
  const t = school.table;
  sheet.addRow([report.countsTitle]).font = { bold: true, size: 12 };
  const head = sheet.addRow([t.rowHeader, ...t.columns.map((c) => c.label), t.totalLabel]);
  head.font = { bold: true };
  head.alignment = { vertical: "middle", wrapText: true };
  for (const row of t.rows) sheet.addRow([row.label, ...row.cells, row.total]);
  const totals = sheet.addRow([t.totals.label, ...t.totals.cells, t.totals.total]);
  totals.font = { bold: true };
  for (const row of [head, totals])
    row.eachCell((cell) => {
      cell.border = { top: { style: "thin" }, bottom: { style: "thin" } };
    });
  blank();

  // II. The incidents, oldest first.
  sheet.addRow([report.listTitle]).font = { bold: true, size: 12 };
  if (school.incidents.length === 0) sheet.addRow([report.none]).getCell(1).font = { italic: true };
  else {
    const listHead = sheet.addRow([...report.listColumns]);
    listHead.font = { bold: true };
    listHead.alignment = { vertical: "middle", wrapText: true };
    listHead.eachCell((cell) => {
      cell.border = { top: { style: "thin" }, bottom: { style: "thin" } };
    });
    school.incidents.forEach((i, n) => {
      sheet.addRow([
        n + 1,
        i.caseCode,
        i.occurred,
        i.kind,
        i.place,
        i.urgency,
        i.status,
        i.outcome,
        i.closed,
      ]);
    });
  }
  blank();
  sheet.addRow([report.privacy]).getCell(1).font = { italic: true };
  sheet.addRow([report.generatedAtLabel]).getCell(1).font = { italic: true };
  blank();

  // The recipients (left) and the head's signature (right).
  const signature = [report.signer, report.signHint];
  report.recipients.forEach((text, i) => {
    const row = sheet.addRow([text]);
    row.getCell(1).font = i === 0 ? { bold: true, italic: true } : { size: 10 };
    const sign = signature[i];
    if (sign) span(row, 6, WIDTH, sign, i === 0 ? { bold: true } : { italic: true });
  });
}

/** The report as an XLSX workbook, one sheet per school. */
export async function incidentReportXlsx(report: IncidentReport): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "safe-school-gate";
  workbook.created = new Date(report.generatedAt);
  workbook.title = `${report.title} — ${report.subtitle}`;
  for (const school of report.schools) addSchool(workbook, report, school);
  if (report.schools.length === 0) workbook.addWorksheet(report.title).addRow([report.none]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

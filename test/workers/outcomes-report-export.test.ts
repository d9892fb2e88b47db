import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PeriodicReport, periodicReport, type ReportTable } from "../../workers/outcomes/report.js";
import { reportCsv, reportXlsx } from "../../workers/outcomes/report-export.js";
import { NOW, PERIOD, type ReportFixture, reportFixture } from "./outcomes-report-fixture.js";

/** RFC 4180: fields split on commas and CRLF, quoted fields may hold both and `""` for a quote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch !== '"') field += ch;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (ch === '"' && field === "") quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += ch;
  }
  if (field !== "" || row.length > 0) throw new Error("the last line has no CRLF");
  return rows;
}

/** The table as lines of text, as a CSV holds it. */
const lines = (t: ReportTable) => [
  [t.rowHeader, ...t.columns.map((c) => c.label), t.totalLabel],
  ...[...t.rows, t.totals].map((r) => [r.label, ...r.cells, r.total].map(String)),
];

async function workbook(report: PeriodicReport): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  // exceljs types its Buffer as an ArrayBuffer; it reads a Node Buffer.
  await wb.xlsx.load((await reportXlsx(report)) as unknown as ExcelJS.Buffer);
  return wb;
}

/** Checks one sheet against its table: titles, bold header and totals, numbers as numbers. */
function expectSheet(sheet: ExcelJS.Worksheet, report: PeriodicReport, table: ReportTable) {
  const values = (row: ExcelJS.Row, width: number) =>
    Array.from({ length: width }, (_, i) => row.getCell(i + 1).value);
  const width = table.columns.length + 2;
  const titles = [1, 2, 3, 4].map((n) => String(sheet.getRow(n).getCell(1).value)).join("\n");
  for (const part of [report.title, report.province.name, report.period.label, table.title])
    expect(titles).toContain(part);

  let at = 0;
  sheet.eachRow((row, n) => {
    if (at === 0 && row.getCell(1).value === table.rowHeader) at = n;
  });
  expect(at).toBeGreaterThan(4);
  const header = sheet.getRow(at);
  expect(values(header, width)).toEqual([
    table.rowHeader,
    ...table.columns.map((c) => c.label),
    table.totalLabel,
  ]);
  expect(header.getCell(2).font?.bold).toBe(true);
  [...table.rows, table.totals].forEach((r, i) => {
    const row = sheet.getRow(at + 1 + i);
    const cells = values(row, width);
    expect(cells).toEqual([r.label, ...r.cells, r.total]);
    expect(cells.slice(1).every((v) => typeof v === "number")).toBe(true);
  });
  const totals = sheet.getRow(at + 1 + table.rows.length);
  expect(totals.getCell(1).font?.bold).toBe(true);
  expect(totals.getCell(width).value).toBe(table.totals.total);
  expect(String(sheet.getRow(at + 2 + table.rows.length).getCell(1).value)).toBe(report.generatedAtLabel);
  for (let c = 1; c <= width; c++) expect(sheet.getColumn(c).width ?? 0).toBeGreaterThanOrEqual(10);
}

describe("the periodic report's files", () => {
  let f: ReportFixture;
  let report: PeriodicReport;
  beforeAll(async () => {
    f = await reportFixture();
    report = await periodicReport(f.deps, { ...PERIOD, now: NOW });
  });
  afterAll(async () => {
    await f?.dispose();
  });

  it("writes an XLSX that reads back with one sheet per table and the same counts", async () => {
    const wb = await workbook(report);
    expect(wb.worksheets.map((s) => s.name)).toEqual([report.byPlace.sheet, report.byOutcome.sheet]);
    expectSheet(wb.worksheets[0] as ExcelJS.Worksheet, report, report.byPlace);
    expectSheet(wb.worksheets[1] as ExcelJS.Worksheet, report, report.byOutcome);
    // Every tip of the period, in both sheets' corner cells.
    for (const [sheet, table] of [
      [wb.worksheets[0], report.byPlace],
      [wb.worksheets[1], report.byOutcome],
    ] as const) {
      const last = (sheet as ExcelJS.Worksheet).getRow(5 + table.rows.length + 1);
      expect(last.getCell(table.columns.length + 2).value).toBe(f.expected.length);
    }
  });

  it("writes a school scope's report and a commune scope's, rows as asked", async () => {
    const school = await periodicReport(f.deps, { ...PERIOD, now: NOW, schools: ["thcs-an-hoa"] });
    const wb = await workbook(school);
    expectSheet(wb.worksheets[0] as ExcelJS.Worksheet, school, school.byPlace);
    expect(String(wb.worksheets[0]?.getRow(2).getCell(1).value)).toContain(school.area);

    const commune = await periodicReport(f.deps, {
      ...PERIOD,
      now: NOW,
      communes: ["xa-tan-lap"],
      lang: "en",
    });
    const csv = parseCsv(reportCsv(commune).slice(1));
    expect(csv).toEqual(lines(commune.byPlace));
    expect(csv.map((l) => l[0])).toEqual([
      commune.byPlace.rowHeader,
      f.routing.communes.find((c) => c.id === "xa-tan-lap")?.name,
      commune.byPlace.totals.label,
    ]);
  });

  it("keeps sheet names within Excel's rules", async () => {
    const long = "Theo [địa bàn]: xã/phường, đặc khu và trường học?";
    const wb = await workbook({
      ...report,
      byPlace: { ...report.byPlace, sheet: long },
      byOutcome: { ...report.byOutcome, sheet: long },
    });
    const names = wb.worksheets.map((s) => s.name);
    expect(new Set(names).size).toBe(2);
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(31);
      expect(name).not.toMatch(/[\\/?*[\]:]/);
    }
  });

  it("writes the commune × category table as RFC 4180 CSV with a UTF-8 BOM", () => {
    const csv = reportCsv(report);
    expect(csv.startsWith("\uFEFF")).toBe(true);
    expect(Buffer.from(csv, "utf8").subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv.endsWith("\r\n")).toBe(true);
    const table = parseCsv(csv.slice(1));
    expect(table).toEqual(lines(report.byPlace));
    // Vietnamese letters survive as they are.
    expect(table.some((l) => l[0] === "Phường Đồng Tiến")).toBe(true);
    const totalRow = table.at(-1) as string[];
    expect(Number(totalRow.at(-1))).toBe(f.expected.length);
  });

  it("quotes commas, quotes and line breaks, and defuses formulas", () => {
    const [first, second, ...rest] = report.byPlace.rows;
    if (!first || !second) throw new Error("the fixture has communes");
    const odd: PeriodicReport = {
      ...report,
      byPlace: {
        ...report.byPlace,
        rowHeader: 'Xã, phường "mới"',
        rows: [{ ...first, label: "Dòng một\r\ndòng hai" }, { ...second, label: "=HYPERLINK(1)" }, ...rest],
      },
    };
    const table = parseCsv(reportCsv(odd).slice(1));
    expect(table[0]?.[0]).toBe('Xã, phường "mới"');
    expect(table[1]?.[0]).toBe("Dòng một\r\ndòng hai");
    expect(table[2]?.[0]).toBe("'=HYPERLINK(1)");
    expect(table).toHaveLength(report.byPlace.rows.length + 2);
    expect(table.every((l) => l.length === report.byPlace.columns.length + 2)).toBe(true);
  });
});

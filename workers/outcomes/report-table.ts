import { type Lang, tl } from "../../i18n.js";

/** A table of counts with a total column and a total row, as the periodic report lays them out. */

export interface ReportRow {
  readonly key: string;
  readonly label: string;
  /** Aligned with the table's `columns`. */
  readonly cells: readonly number[];
  readonly total: number;
}

/** A table with a total column and a total row (`totals.cells` are the column sums). */
export interface ReportTable {
  readonly title: string;
  /** A short name for a spreadsheet tab (at most 31 characters). */
  readonly sheet: string;
  /** Header of the first column: what the rows are. */
  readonly rowHeader: string;
  readonly columns: ReadonlyArray<{ readonly key: string; readonly label: string }>;
  /** Header of the total column. */
  readonly totalLabel: string;
  readonly rows: readonly ReportRow[];
  readonly totals: ReportRow;
}

/** Builds a table from its rows, columns and a count per cell; the totals are summed here. */
export function table(spec: {
  readonly lang: Lang;
  readonly title: string;
  readonly sheet: string;
  readonly rowHeader: string;
  readonly rows: ReadonlyArray<{ key: string; label: string }>;
  readonly columns: ReadonlyArray<{ key: string; label: string }>;
  readonly cell: (row: string, column: string) => number;
}): ReportTable {
  const rows = spec.rows.map(({ key, label }) => {
    const cells = spec.columns.map((col) => spec.cell(key, col.key));
    return { key, label, cells, total: cells.reduce((a, b) => a + b, 0) };
  });
  const cells = spec.columns.map((_, i) => rows.reduce((n, row) => n + (row.cells[i] ?? 0), 0));
  return {
    title: spec.title,
    sheet: spec.sheet,
    rowHeader: spec.rowHeader,
    columns: spec.columns,
    totalLabel: tl(spec.lang, "report.periodic.total"),
    rows,
    totals: {
      key: "total",
      label: tl(spec.lang, "report.periodic.totalRow"),
      cells,
      total: cells.reduce((a, b) => a + b, 0),
    },
  };
}

import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { parseDocument } from "yaml";
import { RoutingTable } from "./routing-table.js";
import { RoutingTableError } from "./schema.js";

/**
 * Reads and validates a routing table: `.yaml`/`.yml` (comments allowed) or `.json`.
 * @throws RoutingTableError naming the file for an unreadable file, a syntax error or any problem
 */
export async function loadRoutingTable(path: string): Promise<RoutingTable> {
  const ext = extname(path).toLowerCase();
  if (![".yaml", ".yml", ".json"].includes(ext))
    throw new RoutingTableError(path, [
      { path: "(file)", message: `unsupported extension "${ext}": use .yaml or .json` },
    ]);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new RoutingTableError(
      path,
      [{ path: "(file)", message: `cannot read: ${(cause as Error).message}` }],
      {
        cause,
      },
    );
  }
  let doc: unknown;
  if (ext === ".json") {
    try {
      doc = JSON.parse(text);
    } catch (cause) {
      throw new RoutingTableError(
        path,
        [{ path: "(file)", message: `invalid JSON: ${(cause as Error).message}` }],
        {
          cause,
        },
      );
    }
  } else {
    const parsed = parseDocument(text, { uniqueKeys: true });
    if (parsed.errors.length > 0) {
      throw new RoutingTableError(
        path,
        parsed.errors.map((e) => {
          const at = e.linePos?.[0];
          return {
            path: at ? `line ${at.line}, column ${at.col}` : "(file)",
            message: `invalid YAML: ${(e.message.split("\n")[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, "")}`,
          };
        }),
        { cause: parsed.errors[0] },
      );
    }
    doc = parsed.toJS();
  }
  return RoutingTable.parse(doc, path);
}

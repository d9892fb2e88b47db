/**
 * Text from users, cleaned before it is stored or shown to anyone: characters that reorder or
 * hide what an officer reads (bidi overrides such as U+202E, zero-width characters), control
 * characters (NUL…) and lone surrogates (which break JSON and some clients) are removed;
 * line breaks are kept as "\n" and tabs become spaces. Composed to NFC.
 */
export function cleanUserText(input: string): string {
  return input
    .replace(LONE_SURROGATE, "")
    .normalize("NFC")
    .replace(/\r\n?|[\u2028\u2029\u0085]/g, "\n")
    .replace(/\t/g, " ")
    .replace(INVISIBLE, "");
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// Controls (Cc: NUL… C1) except "\n", and format characters (Cf: bidi embeddings, overrides,
// isolates and marks, zero-width space and joiners, word joiner, BOM, soft hyphen).
const INVISIBLE = /(?!\n)[\p{Cc}\p{Cf}]/gu;

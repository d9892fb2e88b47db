// Tài liệu (admins): upload a PDF or DOCX, see what was read, correct it and confirm it; the
// library's documents with their status, marked replaced or removed (with a confirmation step).
// Every change rebuilds the bot's index: the page shows that while it runs.
import { ApiError, api, formatDay, h } from "./api.js";
import { createDocumentList, field, statusFields } from "./document-list.js";

const MAX_BYTES = 20 * 1024 * 1024;
const TYPES = ["application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"];

export function mountDocuments(section) {
  const problem = h("div", { class: "alert", role: "alert" });
  const done = h("div", { class: "status", role: "status" });
  const progressText = h("span", { id: "doc-progress-text" }, "Đang cập nhật kho văn bản cho bot…");
  const progress = h(
    "div",
    { class: "doc-progress", role: "status", hidden: true },
    h("progress", { "aria-labelledby": "doc-progress-text" }),
    progressText,
  );
  const say = (message) => problem.replaceChildren(message ? h("p", {}, message) : "");
  const tell = (message) => {
    done.replaceChildren(message ? h("p", {}, message) : "");
  };
  let busy = false;
  const setBusy = (on, text) => {
    busy = on;
    progress.hidden = !on;
    if (text) progressText.textContent = text;
    for (const b of section.querySelectorAll("button[data-change]")) b.disabled = on;
  };

  // ——— Upload ———
  const file = h("input", {
    id: "doc-file",
    name: "file",
    type: "file",
    accept:
      ".pdf,.docx,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    required: true,
    "aria-describedby": "doc-file-hint",
  });
  const uploadButton = h(
    "button",
    { type: "submit", class: "primary", "data-change": "" },
    "Tải lên và đọc thử",
  );
  const uploadForm = h(
    "form",
    { class: "card", "aria-labelledby": "doc-upload-title" },
    h("h2", { id: "doc-upload-title" }, "Tải văn bản lên"),
    h(
      "div",
      { class: "field" },
      h("label", { for: "doc-file" }, "Tệp văn bản"),
      h("span", { class: "fine", id: "doc-file-hint" }, "PDF có lớp chữ hoặc Word (.docx), tối đa 20 MB."),
      file,
    ),
    h("div", { class: "row doc-buttons" }, uploadButton),
  );

  // ——— Preview and confirmation ———
  const previewBox = h("section", {
    class: "card doc-preview",
    hidden: true,
    "aria-labelledby": "doc-preview-title",
  });
  function showPreview(p) {
    const row = (term, value) => [h("dt", {}, term), h("dd", {}, value || "—")];
    const title = field("doc-title", "Tiêu đề", { value: p.title, maxlength: 500, required: true });
    const symbol = field("doc-symbol", "Số hiệu", { value: p.symbol ?? "", maxlength: 500 });
    const issuer = field("doc-issuer", "Cơ quan ban hành", { value: p.issuer ?? "", maxlength: 500 });
    const kind = field("doc-kind", "Loại văn bản", { value: p.kind ?? "", maxlength: 500 });
    const date = field("doc-date", "Ngày ký", { type: "date", value: p.date ?? "" });
    const effective = field("doc-effective", "Ngày có hiệu lực", { type: "date", value: p.effective ?? "" });
    const status = statusFields("doc-confirm");
    const confirm = h("button", { type: "submit", class: "primary", "data-change": "" }, "Xác nhận đưa vào");
    const cancel = h("button", { type: "button" }, "Hủy");
    const form = h(
      "form",
      { "aria-labelledby": "doc-edit-title" },
      h("h3", { id: "doc-edit-title" }, "Kiểm tra và sửa trước khi đưa vào"),
      h(
        "div",
        { class: "doc-fields" },
        title.el,
        symbol.el,
        issuer.el,
        kind.el,
        date.el,
        effective.el,
        status.els,
      ),
      h("div", { class: "row doc-buttons" }, confirm, cancel),
    );
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const values = {
        ...status.values(),
        title: title.input.value.trim(),
        ...Object.fromEntries(
          [
            ["symbol", symbol],
            ["issuer", issuer],
            ["kind", kind],
            ["date", date],
            ["effective", effective],
          ]
            .map(([k, f]) => [k, f.input.value.trim()])
            .filter(([, v]) => v),
        ),
      };
      const ok = await change(
        `/console/api/documents/uploads/${encodeURIComponent(p.uploadId)}/confirm`,
        "POST",
        values,
        "Đang đưa văn bản vào kho của bot…",
      );
      if (!ok) return;
      closePreview();
      await library.refresh();
      tell(`Đã đưa vào “${ok.document.title}”. Bot trả lời từ văn bản này trong khoảng một phút.`);
      listTitle.focus();
    });
    cancel.addEventListener("click", () => {
      closePreview();
      file.focus();
    });
    const warnings = p.warnings.length
      ? [
          h("h3", {}, "Cần xem lại"),
          h(
            "ul",
            { class: "doc-warnings" },
            p.warnings.map((w) => h("li", {}, w.message)),
          ),
        ]
      : [];
    previewBox.replaceChildren(
      h("h2", { id: "doc-preview-title", tabindex: "-1" }, "Nội dung đọc được"),
      h(
        "dl",
        { class: "doc-read" },
        row("Tên tệp", `${p.filename} (${p.format.toUpperCase()}, ${(p.size / 1024).toFixed(0)} KB)`),
        row("Tiêu đề", p.title),
        row("Số hiệu", p.symbol),
        row("Cơ quan ban hành", p.issuer),
        row("Loại văn bản", p.kind),
        row("Ngày ký", p.date && formatDay(p.date)),
        row("Ngày có hiệu lực", p.effective && formatDay(p.effective)),
        row("Số đoạn bot sẽ dùng", String(p.passages)),
      ),
      ...warnings,
      h("h3", {}, `Các điều tìm thấy (${p.articles.length})`),
      p.articles.length
        ? h(
            "ul",
            { class: "doc-articles" },
            p.articles.map((a) => h("li", {}, `Điều ${a.number}${a.title ? `. ${a.title}` : ""}`)),
          )
        : h("p", { class: "fine" }, "Không có điều nào."),
      h(
        "details",
        {},
        h("summary", {}, "Những dòng đầu của văn bản"),
        h(
          "ol",
          { class: "doc-lines" },
          p.firstLines.map((l) => h("li", {}, l)),
        ),
      ),
      form,
    );
    previewBox.hidden = false;
    previewBox.querySelector("h2").focus();
  }

  function closePreview() {
    previewBox.hidden = true;
    previewBox.replaceChildren();
    uploadForm.reset();
  }

  uploadForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    say("");
    tell("");
    const chosen = file.files?.[0];
    if (!chosen) return say("Chọn một tệp PDF hoặc Word (.docx).");
    if (chosen.size > MAX_BYTES) return say("Tệp lớn hơn 20 MB. Hãy tải lên tệp nhỏ hơn.");
    setBusy(true, "Đang đọc tệp…");
    try {
      const res = await fetch(`/console/api/documents/uploads?name=${encodeURIComponent(chosen.name)}`, {
        method: "POST",
        headers: {
          "x-console": "1",
          "content-type": TYPES.includes(chosen.type) ? chosen.type : "application/octet-stream",
        },
        body: chosen,
        credentials: "same-origin",
      }).catch(() => undefined);
      const body = await res?.json().catch(() => undefined);
      if (!res?.ok) throw new ApiError(res?.status ?? 0, body);
      showPreview(body.preview);
    } catch (err) {
      say(err.message);
      file.focus();
    } finally {
      setBusy(false);
    }
  });

  // ——— The library ———
  const library = createDocumentList({
    change,
    tell,
    say,
    isBusy: () => busy,
    onBuilding: (building) => {
      if (busy) return;
      progress.hidden = !building;
      if (building) progressText.textContent = "Đang cập nhật kho văn bản cho bot…";
    },
  });
  const listTitle = library.title;

  /** Runs a change (the index is rebuilt before it answers); its result, or undefined after an error. */
  async function change(path, method, body, text) {
    say("");
    tell("");
    setBusy(true, text);
    try {
      return (await api(path, { method, body })).body;
    } catch (err) {
      say(err.message);
      return undefined;
    } finally {
      setBusy(false);
    }
  }

  section.append(
    h("h1", { id: "title-tai-lieu", tabindex: "-1" }, "Tài liệu"),
    h(
      "p",
      {},
      "Văn bản đưa vào đây được bot dùng để trả lời và trích dẫn, khoảng một phút sau khi xác nhận. Tệp được đọc thử trước: kiểm tra số hiệu, tiêu đề và các điều tìm thấy rồi mới xác nhận.",
    ),
    problem,
    done,
    progress,
    uploadForm,
    previewBox,
    library.el,
  );
  return {
    show() {
      void library.refresh();
    },
    hide() {
      library.stop();
    },
  };
}

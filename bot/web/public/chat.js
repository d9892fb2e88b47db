import { appendMessage, get, post, sendOnEnter, stayAtEnd } from "./ui.js";

const log = document.getElementById("log");
const form = document.getElementById("composer");
const input = document.getElementById("message");
const photo = document.getElementById("photo");
const replying = document.getElementById("replying");
const CURSOR = "ssg_inbox_cursor";
const PHOTO_TYPES = ["image/jpeg", "image/png"];
/** The server's limit (MAX_PHOTO_BYTES in web-chat.ts), checked here before a long upload. */
const MAX_PHOTO_MB = 15;

/**
 * The page's own words, in the chat's language: the server says which after every turn
 * ("/lang en" switches it). What the bot says comes from the server already translated.
 */
const WORDS = {
  vi: {
    tooFast: "Bạn thao tác quá nhanh. Vui lòng thử lại sau ít phút.",
    photoType: "Chỉ nhận ảnh JPEG hoặc PNG.",
    photoTooLarge: `Ảnh quá lớn: trang web nhận ảnh tối đa ${MAX_PHOTO_MB} MB. Hãy chụp lại ở độ phân giải thấp hơn hoặc gửi ảnh khác.`,
    failed: "Có lỗi khi gửi. Vui lòng thử lại. Khi khẩn cấp, hãy gọi 113.",
    offline: "Không kết nối được máy chủ. Khi khẩn cấp, hãy gọi 113.",
    forgotten: "Đã quên trình duyệt này.",
    notForgotten: "Chưa quên được, vui lòng thử lại.",
    photoSent: (name) => `📷 Ảnh: ${name}`,
    photoAlt: "Ảnh bạn gửi",
    reply: "Trả lời",
    statusIntro: "Tra cứu tin báo: nhập mã tin báo và mã PIN bạn nhận được khi gửi.",
    statusCode: "Mã tin báo",
    statusPin: "Mã PIN (6 chữ số)",
    statusSend: "Tra cứu",
    statusCancel: "Thôi",
    statusAsked: (code) => `Tra cứu tin báo ${code}`,
  },
  en: {
    tooFast: "Too fast. Please try again in a few minutes.",
    photoType: "Only JPEG or PNG photos are accepted.",
    photoTooLarge: `The photo is too large: the web chat takes photos of up to ${MAX_PHOTO_MB} MB. Take it again at a lower resolution or send another one.`,
    failed: "Sending failed. Please try again. In an emergency, call 113.",
    offline: "Cannot reach the server. In an emergency, call 113.",
    forgotten: "This browser has been forgotten.",
    notForgotten: "Could not forget this browser; please try again.",
    photoSent: (name) => `📷 Photo: ${name}`,
    photoAlt: "The photo you sent",
    reply: "Reply",
    statusIntro: "Check a tip: enter the case code and the PIN you were given when you sent it.",
    statusCode: "Case code",
    statusPin: "PIN (6 digits)",
    statusSend: "Check",
    statusCancel: "Cancel",
    statusAsked: (code) => `Check tip ${code}`,
  },
};
let lang = "vi";
const words = () => WORDS[lang] ?? WORDS.vi;

/** The officer's message being answered ("Trả lời"), sent along so the bot finds the case. */
let quoted;

function say(text, from = "notice") {
  appendMessage(log, { from, text });
}

function showReplies(replies) {
  for (const r of replies)
    appendMessage(log, { from: "bot", text: r.text, choices: r.choices, onChoice: choose });
}

/** Sends to the chat API, opening an anonymous session first when there is none. */
async function send(path, body, type) {
  let res = await post(path, body, type);
  if (res.status === 401) {
    const session = await post("/chat/session", {});
    if (session.status !== 200) return session;
    res = await post(path, body, type);
  }
  return res;
}

// One exchange at a time, in order: a message typed while the bot is still answering waits for
// it instead of being dropped.
let queue = Promise.resolve();
let pending = 0;

function exchange(path, body, type) {
  pending++;
  form.setAttribute("aria-busy", "true");
  const run = queue.then(() => exchangeNow(path, body, type));
  queue = run.finally(() => {
    if (--pending === 0) form.removeAttribute("aria-busy");
  });
  return queue;
}

async function exchangeNow(path, body, type) {
  try {
    const res = await send(path, body, type);
    if (res.body?.lang in WORDS) lang = res.body.lang;
    if (res.status === 200) showReplies(res.body.replies ?? []);
    // Refusals the server words itself (a photo too large) come in the chat's language.
    else if (typeof res.body?.message === "string") say(res.body.message);
    else if (res.status === 429) say(words().tooFast);
    else say(words().failed);
  } catch {
    say(words().offline);
  }
}

function choose(choice) {
  if (choice.data === "menu:status") return showStatusForm();
  appendMessage(log, { from: "me", text: choice.label });
  return exchange("/chat/message", { choice: choice.data });
}

function field(labelText, attributes) {
  const label = document.createElement("label");
  const el = document.createElement("input");
  for (const [k, v] of Object.entries(attributes)) el.setAttribute(k, v);
  label.append(labelText, el);
  return { label, input: el };
}

/** "Tra cứu tin báo": case code and PIN in two fields instead of a slash command. */
function showStatusForm() {
  for (const old of log.querySelectorAll(".status-form")) old.closest("li")?.remove();
  const w = words();
  const code = field(w.statusCode, {
    name: "code",
    required: "",
    autocomplete: "off",
    autocapitalize: "characters",
    spellcheck: "false",
    maxlength: "14",
    placeholder: "AT-7KQ3-M8",
    pattern: "\\s*[Aa][Tt]?[\\s\\-]*[A-Za-z0-9]{4}[\\s\\-]*[A-Za-z0-9]{2}\\s*",
  });
  const pin = field(w.statusPin, {
    name: "pin",
    required: "",
    autocomplete: "off",
    inputmode: "numeric",
    maxlength: "6",
    pattern: "[0-9]{6}",
  });
  const submit = document.createElement("button");
  submit.type = "submit";
  submit.textContent = w.statusSend;
  const cancel = document.createElement("button");
  cancel.type = "button";
  cancel.textContent = w.statusCancel;
  const row = document.createElement("div");
  row.className = "row";
  row.append(submit, cancel);
  const statusForm = document.createElement("form");
  statusForm.className = "status-form";
  statusForm.append(code.label, pin.label, row);

  const li = appendMessage(log, {
    from: "bot",
    text: w.statusIntro,
    extra: (item) => item.append(statusForm),
  });
  code.input.focus({ preventScroll: true });
  cancel.addEventListener("click", () => {
    li.remove();
    input.focus();
  });
  statusForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const caseCode = code.input.value.replace(/\s+/g, "").toUpperCase();
    const digits = pin.input.value.trim();
    // The PIN is not written into the conversation (a shared screen): only the case code is.
    li.remove();
    appendMessage(log, { from: "me", text: w.statusAsked(caseCode) });
    input.focus();
    void exchange("/chat/message", { text: `/trangthai ${caseCode} ${digits}` });
  });
}

function setReplying(text) {
  quoted = text;
  replying.hidden = text === undefined;
  if (text !== undefined) input.focus();
}

form.addEventListener("submit", (e) => {
  e.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  appendMessage(log, { from: "me", text });
  const body = quoted ? { text, quoted } : { text };
  setReplying(undefined);
  void exchange("/chat/message", body);
});

sendOnEnter(input, form);
stayAtEnd(document.getElementById("scroll"));

photo.addEventListener("change", () => {
  const file = photo.files?.[0];
  photo.value = "";
  if (!file) return;
  if (!PHOTO_TYPES.includes(file.type)) return say(words().photoType);
  if (file.size > MAX_PHOTO_MB * 1024 * 1024) return say(words().photoTooLarge);
  const preview = URL.createObjectURL(file);
  const li = appendMessage(log, {
    from: "me",
    text: words().photoSent(file.name),
    photos: [preview],
    photoAlt: words().photoAlt,
  });
  li.querySelector("img")?.addEventListener("load", () => URL.revokeObjectURL(preview), { once: true });
  void exchange("/chat/photo", file, file.type);
});

for (const b of document.querySelectorAll("[data-choice]"))
  b.addEventListener("click", () => choose({ data: b.dataset.choice, label: b.textContent }));

document.getElementById("cancel-reply").addEventListener("click", () => setReplying(undefined));

document.getElementById("forget").addEventListener("click", async () => {
  const res = await post("/chat/forget", {});
  localStorage.removeItem(CURSOR);
  log.replaceChildren();
  const w = words();
  lang = "vi";
  say(res.status === 200 || res.status === 401 ? w.forgotten : w.notForgotten);
});

/** Messages the police sent while the page was closed or open (questions about a tip). */
async function pollInbox() {
  if (document.hidden) return;
  const after = localStorage.getItem(CURSOR);
  const res = await get(`/chat/inbox${after ? `?after=${encodeURIComponent(after)}` : ""}`).catch(
    () => undefined,
  );
  if (res?.status !== 200) return;
  for (const m of res.body.messages ?? []) {
    appendMessage(log, {
      from: "bot",
      text: m.text,
      extra: (li) => {
        if (!/AT-[A-Z0-9]{4}-[A-Z0-9]{2}/.test(m.text)) return;
        const b = document.createElement("button");
        b.type = "button";
        b.className = "reply";
        b.textContent = words().reply;
        b.addEventListener("click", () => setReplying(m.text));
        li.append(b);
      },
    });
    localStorage.setItem(CURSOR, m.id);
  }
}

async function start() {
  await exchange("/chat/message", { text: "/start" });
  await pollInbox();
  setInterval(pollInbox, 5000);
  const demo = await get("/console/api/demo/people").catch(() => undefined);
  if (demo?.status === 200) document.getElementById("demo-link").hidden = false;
}

void start();

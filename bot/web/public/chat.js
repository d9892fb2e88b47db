import { appendMessage, get, post, sendOnEnter } from "./ui.js";

const log = document.getElementById("log");
const form = document.getElementById("composer");
const input = document.getElementById("message");
const photo = document.getElementById("photo");
const replying = document.getElementById("replying");
const CURSOR = "ssg_inbox_cursor";
const PHOTO_TYPES = ["image/jpeg", "image/png"];
const MAX_PHOTO_BYTES = 15 * 1024 * 1024;

/** The officer's message being answered ("Trả lời"), sent along so the bot finds the case. */
let quoted;
let busy = false;

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
    if (session.status === 429) return { status: 429, body: {} };
    res = await post(path, body, type);
  }
  return res;
}

async function exchange(path, body, type) {
  if (busy) return;
  busy = true;
  form.setAttribute("aria-busy", "true");
  try {
    const res = await send(path, body, type);
    if (res.status === 200) showReplies(res.body.replies ?? []);
    else if (res.status === 429) say("Bạn thao tác quá nhanh. Vui lòng thử lại sau ít phút.");
    else if (res.status === 413) say("Ảnh quá lớn (tối đa 15 MB).");
    else say("Có lỗi khi gửi. Vui lòng thử lại. Khi khẩn cấp, hãy gọi 113.");
  } catch {
    say("Không kết nối được máy chủ. Khi khẩn cấp, hãy gọi 113.");
  } finally {
    busy = false;
    form.removeAttribute("aria-busy");
  }
}

function choose(choice) {
  appendMessage(log, { from: "me", text: choice.label });
  return exchange("/chat/message", { choice: choice.data });
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

photo.addEventListener("change", () => {
  const file = photo.files?.[0];
  photo.value = "";
  if (!file) return;
  if (!PHOTO_TYPES.includes(file.type)) return say("Chỉ nhận ảnh JPEG hoặc PNG.");
  if (file.size > MAX_PHOTO_BYTES) return say("Ảnh quá lớn (tối đa 15 MB).");
  appendMessage(log, { from: "me", text: `📷 ${file.name}` });
  void exchange("/chat/photo", file, file.type);
});

for (const b of document.querySelectorAll("[data-choice]"))
  b.addEventListener("click", () => choose({ data: b.dataset.choice, label: b.textContent }));

document.getElementById("cancel-reply").addEventListener("click", () => setReplying(undefined));

document.getElementById("forget").addEventListener("click", async () => {
  const res = await post("/chat/forget", {});
  localStorage.removeItem(CURSOR);
  log.replaceChildren();
  say(
    res.status === 200 || res.status === 401
      ? "Đã quên trình duyệt này."
      : "Chưa quên được, vui lòng thử lại.",
  );
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
        b.textContent = "Trả lời";
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
  const demo = await get("/demo/officers").catch(() => undefined);
  if (demo?.status === 200) document.getElementById("demo-link").hidden = false;
}

void start();

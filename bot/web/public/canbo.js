import { appendMessage, get, post, sendOnEnter, stayAtEnd } from "./ui.js";

const log = document.getElementById("log");
const select = document.getElementById("officer");
const form = document.getElementById("composer");
const input = document.getElementById("message");
let cursor;

/** What a message's tip has become since (its buttons are gone then). */
const STATUS = { acknowledged: "Trạng thái: đang xử lý", closed: "Trạng thái: đã đóng" };

function showReplies(replies) {
  for (const r of replies)
    appendMessage(log, { from: "bot", text: r.text, choices: r.choices, onChoice: act });
}

async function sendAs(body, shown) {
  appendMessage(log, { from: "me", text: shown });
  const res = await post(`/demo/officers/${encodeURIComponent(select.value)}/message`, body);
  if (res.status === 200) showReplies(res.body.replies ?? []);
  else appendMessage(log, { from: "notice", text: "Không gửi được." });
}

function act(choice) {
  return sendAs({ choice: choice.data }, choice.label);
}

async function poll() {
  const officer = select.value;
  if (!officer) return;
  const q = cursor ? `?after=${encodeURIComponent(cursor)}` : "";
  const res = await get(`/demo/officers/${encodeURIComponent(officer)}/inbox${q}`).catch(() => undefined);
  if (res?.status !== 200 || officer !== select.value) return;
  for (const m of res.body.messages ?? []) {
    // Photos as the officer receives them: re-encoded, without location or device data.
    const photos = m.photos > 0 ? `\n${m.photos} ảnh đính kèm (đã xóa thông tin ẩn):` : "";
    // Buttons come from the tip's status now, not from when the message was sent.
    const status = STATUS[m.tipStatus];
    appendMessage(log, {
      from: "bot",
      text: m.text + photos,
      photos: m.photoUrls ?? [],
      photoAlt: "Ảnh kèm tin báo (đã xóa thông tin ẩn)",
      choices: m.actions,
      onChoice: act,
      extra: (li) => {
        if (!status) return;
        const p = document.createElement("p");
        p.className = "tip-status";
        p.textContent = status;
        li.append(p);
      },
    });
    cursor = m.id;
  }
}

sendOnEnter(input, form);
stayAtEnd(document.querySelector(".scroll"));

select.addEventListener("change", () => {
  chosenByHand = true;
  cursor = undefined;
  log.replaceChildren();
  void poll();
});

form.addEventListener("submit", (e) => {
  e.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  void sendAs({ text }, text);
});

let chosenByHand = false;

/** Refreshes the officer list and its message counts; follows the first mail until one is chosen. */
async function refreshOfficers() {
  const res = await get("/demo/officers").catch(() => undefined);
  if (res?.status !== 200) return false;
  const officers = res.body.officers ?? [];
  for (const o of officers) {
    let option = select.querySelector(`option[value="${CSS.escape(o.id)}"]`);
    if (!option) {
      option = document.createElement("option");
      option.value = o.id;
      select.append(option);
    }
    option.textContent = o.messages > 0 ? `${o.name} (${o.messages})` : o.name;
  }
  // Open the inbox that has mail, most likely the one a demo tip just reached.
  const busiest = officers.find((o) => o.messages > 0);
  if (!chosenByHand && busiest && busiest.id !== select.value) {
    select.value = busiest.id;
    cursor = undefined;
    log.replaceChildren();
  }
  return true;
}

async function start() {
  if (!(await refreshOfficers())) {
    appendMessage(log, { from: "notice", text: "Bản trình diễn đang tắt (WEB_DEMO_OFFICERS=true để bật)." });
    return;
  }
  await poll();
  setInterval(async () => {
    await refreshOfficers();
    await poll();
  }, 3000);
}

void start();

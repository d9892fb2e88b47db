// Shared by the chat and the demo officer page. Text is always set with textContent: what
// users and documents say can never become markup.

/** POST JSON (or raw bytes) to this origin; returns {status, body}. */
export async function post(path, body, type = "application/json") {
  const res = await fetch(path, {
    method: "POST",
    headers: { "content-type": type },
    body: type === "application/json" ? JSON.stringify(body) : body,
    credentials: "same-origin",
  });
  return { status: res.status, body: await res.json().catch(() => ({})) };
}

export async function get(path) {
  const res = await fetch(path, { credentials: "same-origin" });
  return { status: res.status, body: await res.json().catch(() => ({})) };
}

/**
 * Appends one message to the log. `choices` become buttons calling `onChoice(choice)`;
 * `extra(li)` may add more (e.g. a "reply" button).
 */
export function appendMessage(log, { from, text, choices = [], onChoice, extra }) {
  const li = document.createElement("li");
  li.className = `msg ${from}`;
  const who = document.createElement("span");
  who.className = "visually-hidden";
  who.textContent = from === "me" ? "Bạn: " : from === "notice" ? "Thông báo: " : "Trợ lý: ";
  const body = document.createElement("p");
  body.textContent = text;
  li.append(who, body);
  if (choices.length > 0) {
    const row = document.createElement("div");
    row.className = "choices";
    for (const c of choices) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = c.label;
      b.addEventListener("click", () => onChoice?.(c));
      row.append(b);
    }
    li.append(row);
  }
  extra?.(li);
  log.append(li);
  li.scrollIntoView({
    block: "end",
    behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth",
  });
  return li;
}

/** Enter sends, Shift+Enter breaks the line (as in messengers). */
export function sendOnEnter(input, form) {
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
}

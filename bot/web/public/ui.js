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

const LEADING_EMOJI = /^(\p{Extended_Pictographic}\uFE0F?)\s+(\S.*)$/u;

/**
 * Sets a button's caption. A leading emoji is decoration (hidden from screen readers): the words
 * after it are the name, and what shows where no emoji font is installed.
 */
export function setCaption(button, label) {
  const m = LEADING_EMOJI.exec(label);
  if (!m) {
    button.textContent = label;
    return;
  }
  const icon = document.createElement("span");
  icon.setAttribute("aria-hidden", "true");
  icon.textContent = `${m[1]} `;
  button.replaceChildren(icon, m[2]);
}

/**
 * Keeps a conversation that is scrolled to its end at its end when it gets less room (the
 * composer grows with a long message, the keyboard opens): otherwise the composer would cut
 * off the newest message.
 */
export function stayAtEnd(scroller) {
  // Within the scroller's bottom padding counts as the end (`reveal` aligns the message, not the padding).
  const nearEnd = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 32;
  let atEnd = true;
  scroller.addEventListener("scroll", () => (atEnd = nearEnd()), { passive: true });
  new ResizeObserver(() => {
    if (atEnd) scroller.scrollTop = scroller.scrollHeight;
  }).observe(scroller);
}

/** Keeps the newest message in view (the conversation scrolls, the page does not). */
export function reveal(li) {
  li.scrollIntoView({
    block: "end",
    behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth",
  });
}

/**
 * Appends one message to the log. `choices` become buttons calling `onChoice(choice)`;
 * `photos` are image URLs of this origin shown under the text with `photoAlt`; `extra(li)` may
 * add more (e.g. a "reply" button).
 */
export function appendMessage(
  log,
  { from, text, choices = [], onChoice, photos = [], photoAlt = "", extra },
) {
  const li = document.createElement("li");
  li.className = `msg ${from}`;
  const who = document.createElement("span");
  who.className = "visually-hidden";
  who.textContent = from === "me" ? "Bạn: " : from === "notice" ? "Thông báo: " : "Trợ lý: ";
  const body = document.createElement("p");
  body.textContent = text;
  li.append(who, body);
  for (const src of photos) {
    const img = document.createElement("img");
    img.src = src;
    img.alt = photoAlt;
    // Keep the end of the message in view once the photo has its height.
    img.addEventListener("load", () => {
      if (log.lastElementChild === li) reveal(li);
    });
    li.append(img);
  }
  if (choices.length > 0) {
    const row = document.createElement("div");
    row.className = "choices";
    for (const c of choices) {
      const b = document.createElement("button");
      b.type = "button";
      setCaption(b, c.label);
      b.addEventListener("click", () => onChoice?.(c));
      row.append(b);
    }
    li.append(row);
  }
  extra?.(li);
  log.append(li);
  reveal(li);
  return li;
}

/** Enter sends, Shift+Enter breaks the line (as in messengers); the box grows with its text. */
export function sendOnEnter(input, form) {
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  const fit = () => {
    input.style.height = "";
    if (input.value) input.style.height = `${input.scrollHeight + 2}px`;
  };
  input.addEventListener("input", fit);
  form.addEventListener("submit", () => requestAnimationFrame(fit));
}

// Hộp tin: the tips in the person's area by state, filtered, polled every 5 s with If-None-Match
// (new tips appear, and are announced, without a reload); `#hop-tin/<id>` opens one (tip.js).
import { ApiError, api, formatDateTime, h, query, timeAgo } from "./api.js";
import { createTipDetail } from "./tip.js";

/** The page polls this often (the API's contract: new tips without a reload). */
const POLL_MS = 5000;

export const STATES = [
  { id: "open", label: "Mới" },
  { id: "acknowledged", label: "Đã xác nhận" },
  { id: "waiting", label: "Chờ người báo tin" },
  { id: "closed", label: "Đã đóng" },
];
export const STATE_LABEL = Object.fromEntries(STATES.map((s) => [s.id, s.label]));
export const URGENCY_LABEL = { "khan-cap": "Khẩn cấp", "binh-thuong": "Bình thường" };
const AGES = [
  { id: "", label: "Mọi lúc" },
  { id: "1", label: "24 giờ qua" },
  { id: "7", label: "7 ngày qua" },
  { id: "30", label: "30 ngày qua" },
  { id: "90", label: "90 ngày qua" },
];

function select(name, label, options, allLabel) {
  const id = `filter-${name}`;
  const el = h(
    "select",
    { id, name },
    allLabel === undefined ? "" : h("option", { value: "" }, allLabel),
    options.map((o) => h("option", { value: o.id }, o.label ?? o.name)),
  );
  return { el, field: h("div", { class: "field" }, h("label", { for: id }, label), el) };
}

/** "Xã A · THCS A": where a tip is. */
export function whereText(tip) {
  return [tip.communeName, tip.schoolName].filter(Boolean).join(" · ");
}

export function mountInbox(section, { me, announce }) {
  const title = h("h1", { id: "title-hop-tin", tabindex: "-1" }, "Hộp tin");

  // ——— Filters ———
  const states = h(
    "fieldset",
    { class: "seg" },
    h("legend", {}, "Trạng thái"),
    STATES.map((s, i) =>
      h(
        "label",
        {},
        h("input", { type: "radio", name: "status", value: s.id, checked: i === 0 }),
        h("span", {}, s.label),
      ),
    ),
  );
  const fields = [];
  const filters = {};
  const add = (name, control) => {
    filters[name] = control.el;
    fields.push(control.field);
  };
  add("category", select("category", "Loại sự việc", me.categories ?? [], "Tất cả"));
  const communes = me.scope?.communes ?? [];
  if (communes.length > 1) add("commune", select("commune", "Xã/phường", communes, "Tất cả"));
  const schools = me.scope?.schools ?? [];
  if (schools.length > 1) add("school", select("school", "Trường", schools, "Tất cả"));
  add(
    "urgency",
    select(
      "urgency",
      "Mức khẩn cấp",
      Object.entries(URGENCY_LABEL).map(([id, label]) => ({ id, label })),
      "Tất cả",
    ),
  );
  add("age", select("age", "Thời gian", AGES));
  const filterCount = h("span", { class: "fine" });
  const more = h(
    "details",
    { class: "filters" },
    h("summary", {}, "Bộ lọc ", filterCount),
    h("div", { class: "grid" }, fields),
  );
  // Open on a desk, folded on a phone (where the list matters more than the filters).
  if (matchMedia("(min-width: 60rem)").matches) more.open = true;
  const form = h("form", { "aria-label": "Lọc tin báo" }, states, more);
  form.addEventListener("submit", (e) => e.preventDefault());
  form.addEventListener("change", () => {
    updateFilterCount();
    reload();
  });

  // ——— List ———
  const count = h("p", { class: "fine", id: "tips-count" });
  const list = h("ul", { class: "tips", "aria-labelledby": "tips-title", "aria-describedby": "tips-count" });
  const empty = h("p", { class: "empty", hidden: true }, "Không có tin báo nào.");
  const listError = h("div", { class: "alert", role: "alert" });
  const listTitle = h("h2", { id: "tips-title" }, "Tin báo");
  const listPane = h(
    "div",
    { class: "list-pane" },
    form,
    h("div", { class: "list-head" }, listTitle, count),
    listError,
    list,
    empty,
  );
  const detail = createTipDetail({ me, announce, onChanged: () => reload({ keep: true }) });
  const layout = h("div", { class: "inbox" }, listPane, detail.element);
  section.append(title, layout);

  let etag;
  let items = new Map(); // id → {tip, li, link}
  let seen; // ids shown since the filters last changed (undefined before the first answer)
  const arrived = new Set(); // ids that came in while the page was open
  let selected;
  let timer;
  let loading = false;
  let pending = false;

  function currentQuery() {
    const q = { status: form.elements.status.value };
    for (const [name, el] of Object.entries(filters)) q[name] = el.value;
    return q;
  }

  function updateFilterCount() {
    const n = Object.values(filters).filter((el) => el.value !== "").length;
    filterCount.textContent = n ? `(${n} đang áp dụng)` : "";
  }

  function tipItem(tip) {
    const age = h("time", { class: "tip-age", datetime: new Date(tip.createdAt).toISOString() });
    const link = h("a", { class: "tip-link", href: `#hop-tin/${encodeURIComponent(tip.id)}` });
    const li = h("li", {}, link);
    const entry = { tip, li, link, age };
    fillItem(entry, tip);
    return entry;
  }

  function fillItem(entry, tip) {
    entry.tip = tip;
    const badges = [];
    if (tip.urgency === "khan-cap") badges.push(h("span", { class: "badge urgent" }, "Khẩn cấp"));
    if (arrived.has(tip.id)) badges.push(h("span", { class: "badge new" }, "Mới đến"));
    // The state is shown when it differs from the tab's (a tip that changed since).
    const tab = form.elements.status.value;
    if (tip.state !== tab)
      badges.push(h("span", { class: "badge state" }, tip.stateLabel ?? STATE_LABEL[tip.state] ?? tip.state));
    if (tip.state === "closed" && tip.outcomeLabel)
      badges.push(h("span", { class: "badge state" }, tip.outcomeLabel));
    entry.age.textContent = timeAgo(tip.createdAt);
    entry.age.setAttribute("title", formatDateTime(tip.createdAt));
    entry.link.replaceChildren(
      h("span", { class: "tip-line" }, h("span", { class: "code" }, tip.caseCode), badges),
      h("span", { class: "tip-line" }, h("span", {}, tip.categoryLabel ?? tip.category)),
      h(
        "span",
        { class: "tip-line" },
        h("span", { class: "tip-where" }, whereText(tip)),
        entry.age,
        tip.photos > 0 ? h("span", { class: "tip-where" }, `${tip.photos} ảnh`) : "",
      ),
    );
    if (tip.id === selected) entry.link.setAttribute("aria-current", "true");
    else entry.link.removeAttribute("aria-current");
  }

  /**
   * Shows the list, keeping the elements of tips already shown (a focused tip keeps the focus
   * while new ones are put above it).
   */
  function render(tips) {
    const next = new Map();
    for (const tip of tips) {
      const old = items.get(tip.id);
      if (old) fillItem(old, tip);
      next.set(tip.id, old ?? tipItem(tip));
    }
    for (const [id, entry] of items) if (!next.has(id)) entry.li.remove();
    const focused = document.activeElement;
    let i = 0;
    for (const entry of next.values()) {
      const at = list.children[i];
      if (at !== entry.li) list.insertBefore(entry.li, at ?? null);
      i++;
    }
    if (focused instanceof HTMLElement && focused !== document.activeElement && focused.isConnected)
      focused.focus({ preventScroll: true });
    items = next;
    empty.hidden = tips.length > 0;
    count.textContent = `${tips.length} tin báo`;
  }

  function announceNew(tips) {
    if (seen === undefined) {
      seen = new Set(tips.map((t) => t.id));
      return;
    }
    const fresh = tips.filter((t) => !seen.has(t.id));
    for (const t of tips) seen.add(t.id);
    // Only tips received since the last look, not those that moved into this tab.
    const newest = Date.now() - 10 * 60_000;
    const news = fresh.filter((t) => t.state === "open" && t.createdAt >= newest);
    for (const t of news) arrived.add(t.id);
    if (news.length === 1) {
      const t = news[0];
      const urgent = t.urgency === "khan-cap" ? ", khẩn cấp" : "";
      announce(`Tin báo mới ${t.caseCode}: ${t.categoryLabel ?? t.category}${urgent}, ${whereText(t)}.`);
    } else if (news.length > 1) announce(`${news.length} tin báo mới.`);
    return news.length > 0;
  }

  async function load() {
    if (loading) {
      pending = true;
      return;
    }
    loading = true;
    try {
      const res = await api(`/console/api/tips${query(currentQuery())}`, { etag });
      listError.replaceChildren();
      if (res.status !== 304) {
        etag = res.etag;
        const tips = Array.isArray(res.body?.tips) ? res.body.tips : [];
        const first = seen === undefined;
        const hadNew = announceNew(tips);
        render(tips);
        if (hadNew) for (const e of items.values()) fillItem(e, e.tip);
        // The list changed: the open tip may have too (a tipster's answer, another officer's act).
        // Not when it was fetched a moment ago (just opened, or after the officer's own action).
        if (selected && !first) void detail.refreshIfStale(2000);
      } else {
        for (const e of items.values()) e.age.textContent = timeAgo(e.tip.createdAt);
        if (selected) void detail.refreshIfStale();
      }
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) listError.replaceChildren(h("p", {}, e.message));
    } finally {
      loading = false;
      if (pending) {
        pending = false;
        void load();
      }
    }
  }

  /** Loads now; `keep` keeps the list's memory (after an action), else the filters changed. */
  function reload({ keep = false } = {}) {
    etag = undefined;
    if (!keep) seen = undefined;
    void load();
  }

  function startPolling() {
    stopPolling();
    timer = setInterval(() => {
      if (!document.hidden) void load();
    }, POLL_MS);
  }
  function stopPolling() {
    clearInterval(timer);
    timer = undefined;
  }
  // Back to a page left in the background: look at once rather than up to 5 s later.
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && timer) void load();
  });

  function select_(id) {
    const previous = selected;
    selected = id || undefined;
    for (const e of items.values()) {
      if (e.tip.id === selected) {
        e.link.setAttribute("aria-current", "true");
        arrived.delete(e.tip.id);
      } else e.link.removeAttribute("aria-current");
    }
    layout.classList.toggle("showing-detail", Boolean(selected));
    if (selected && selected !== previous) void detail.open(selected, { focus: true });
    if (!selected) {
      detail.close();
      // Back to the list (on a phone): the focus returns to the tip that was open.
      const back = previous && items.get(previous);
      if (back && !back.link.matches(":focus")) back.link.focus({ preventScroll: false });
    }
  }

  return {
    show(rest) {
      if (!timer) {
        void load();
        startPolling();
      }
      select_(rest);
    },
    hide() {
      // The list keeps polling only while it is on screen; the open tip stops refreshing.
      stopPolling();
    },
  };
}

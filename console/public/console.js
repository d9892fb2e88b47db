// The console's shell: who is signed in, the navigation (#hop-tin, #thong-ke, #bao-cao; for admins
// #danh-ba, #tai-lieu), and the sign-in help when there is no session. Each view is a module
// whose `mount(section, context)` runs on its first visit and returns `{show(rest), hide()}`.
import { ApiError, api, h, onSignedOut, signInHelp } from "./api.js";
import { mountDashboard } from "./dashboard.js";
import { mountDirectory } from "./directory.js";
import { mountDocuments } from "./documents.js";
import { mountInbox } from "./inbox.js";
import { mountIncidents } from "./incidents.js";
import { mountReport } from "./report.js";

const $ = (id) => document.getElementById(id);

const VIEWS = {
  "hop-tin": { title: "Hộp tin", mount: mountInbox },
  "thong-ke": { title: "Thống kê", mount: mountDashboard },
  "bao-cao": { title: "Báo cáo", mount: mountReport },
  "su-viec": { title: "Sự việc của trường", mount: mountIncidents },
  "danh-ba": {
    title: "Danh bạ",
    admin: true,
    mount: mountDirectory,
  },
  "tai-lieu": {
    title: "Tài liệu",
    admin: true,
    mount: mountDocuments,
  },
};
const DEFAULT_VIEW = "hop-tin";

const mounted = new Map();
let current;
let me;
let signedOut = false;

/** Says something to screen readers without moving the focus (new tips, an answer arriving). */
function announce(text) {
  const region = $("announce");
  // Cleared first, so the same sentence twice is still read twice.
  region.textContent = "";
  setTimeout(() => {
    region.textContent = text;
  }, 50);
}

function showError(message) {
  $("app-error").replaceChildren(message ? h("p", {}, message) : "");
}

function route() {
  if (signedOut || !me) return;
  const [name, ...rest] = decodeURIComponent(location.hash.slice(1)).split("/");
  const key = name in VIEWS && (!VIEWS[name].admin || me.isAdmin) ? name : DEFAULT_VIEW;
  const view = VIEWS[key];
  for (const a of document.querySelectorAll("#nav a")) {
    if (a.dataset.view === key) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const changed = current !== key;
  if (changed && current) {
    mounted.get(current)?.hide();
    $(`view-${current}`).hidden = true;
  }
  const section = $(`view-${key}`);
  if (!mounted.has(key)) mounted.set(key, view.mount(section, { me, announce, showError }));
  section.hidden = false;
  document.title = `${view.title} — Bảng điều khiển Cổng trường an toàn`;
  const wasShown = current !== undefined;
  current = key;
  mounted.get(key).show(rest.join("/"));
  // A new view: the focus goes to its title, as after a page load (not on the first load).
  if (changed && wasShown && rest.length === 0) section.querySelector("h1")?.focus();
}

function showSignedOut() {
  if (signedOut) return;
  signedOut = true;
  for (const view of mounted.values()) view.hide();
  for (const s of document.querySelectorAll(".view")) s.hidden = true;
  $("nav").hidden = true;
  $("account").hidden = true;
  $("who").hidden = true;
  $("loading").hidden = true;
  showError("");
  const section = $("signed-out");
  if (!section.querySelector(".signin-help")) section.append(signInHelp());
  section.hidden = false;
  document.title = "Đăng nhập — Bảng điều khiển Cổng trường an toàn";
}

async function signOut(path, button) {
  button.disabled = true;
  try {
    await api(path, { method: "DELETE" });
    location.replace("/console/dang-nhap");
  } catch (e) {
    button.disabled = false;
    if (!(e instanceof ApiError && e.status === 401)) showError(e.message);
    else location.replace("/console/dang-nhap");
  }
}

async function start() {
  onSignedOut(showSignedOut);
  try {
    me = (await api("/console/api/me")).body;
  } catch (e) {
    $("loading").hidden = true;
    if (e instanceof ApiError && e.status === 401) return showSignedOut();
    return showError(e.message);
  }
  $("loading").hidden = true;
  if (me.provinceName) $("province").textContent = `${me.provinceName} — Cổng trường an toàn`;
  const communes = me.scope?.communes ?? [];
  const schools = me.scope?.schools ?? [];
  const area =
    me.scope?.kind === "admin"
      ? "Toàn tỉnh"
      : schools.length === 1 && me.scope?.kind === "school"
        ? schools[0].name
        : communes.length === 1
          ? communes[0].name
          : communes.length > 1
            ? `${communes.length} xã/phường`
            : "";
  $("who").replaceChildren(
    h("span", { class: "who-line" }, h("span", { class: "visually-hidden" }, "Đăng nhập: "), me.name ?? ""),
    area ? h("span", { class: "who-line" }, area) : "",
  );
  $("who").hidden = false;
  $("account").hidden = false;
  $("nav").hidden = false;
  if (me.isAdmin) for (const li of document.querySelectorAll("[data-admin]")) li.hidden = false;
  $("sign-out").addEventListener("click", (e) => signOut("/console/api/session", e.currentTarget));
  $("sign-out-all").addEventListener("click", (e) => signOut("/console/api/sessions", e.currentTarget));
  window.addEventListener("hashchange", route);
  route();
}

void start();

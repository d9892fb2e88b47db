import { ApiError, api, h } from "./api.js";

// The one-time token is in the fragment, which no link preview or server log sees. Nothing is
// sent until the person presses "Đăng nhập": a preview that opens the link cannot use it up.
const token = decodeURIComponent(location.hash.slice(1)).trim();
// Out of the address bar and the history, so that "back" or a shared screen does not show it.
if (location.hash) history.replaceState(null, "", location.pathname + location.search);

const $ = (id) => document.getElementById(id);
const errorBox = $("error");
const status = $("status");

const USED = "Đường dẫn đã dùng hoặc đã hết hạn. Gửi /dangnhap cho bot để nhận đường dẫn mới.";

/** The demo's roles as words (any other role is shown as the server gives it). */
const ROLES = {
  admin: "Quản trị tỉnh",
  "province-admin": "Quản trị tỉnh",
  "police-contact": "Cán bộ công an",
  police: "Cán bộ công an",
  "provincial-unit": "Phòng nghiệp vụ cấp tỉnh",
  school: "Nhà trường",
  "school-staff": "Nhà trường",
};

function showError(message) {
  status.textContent = "";
  errorBox.replaceChildren(h("p", {}, message));
}

async function signIn(path, body, button) {
  errorBox.replaceChildren();
  button.disabled = true;
  status.textContent = "Đang đăng nhập…";
  try {
    await api(path, { method: "POST", body });
    status.textContent = "Đã đăng nhập. Đang mở bảng điều khiển…";
    location.replace("/console/");
  } catch (e) {
    button.disabled = false;
    if (e instanceof ApiError && e.code === "link-used-or-expired") {
      showError(USED);
      // A used link cannot be tried again: only a new one helps.
      button.hidden = true;
      $("no-token").hidden = false;
    } else showError(e instanceof ApiError && e.status !== 401 ? e.message : USED);
  }
}

async function showDemo() {
  let people;
  try {
    people = (await api("/console/api/demo/people")).body?.people;
  } catch {
    return false;
  }
  if (!Array.isArray(people) || people.length === 0) return false;
  $("demo-banner").hidden = false;
  $("demo").hidden = false;
  $("people").replaceChildren(
    ...people.map((p) => {
      const button = h(
        "button",
        { type: "button", class: "person" },
        h("span", { class: "person-name" }, p.name),
        h("span", { class: "person-role" }, ROLES[p.role] ?? p.role ?? ""),
      );
      button.addEventListener("click", () => signIn("/console/api/demo/session", { id: p.id }, button));
      return h("li", {}, button);
    }),
  );
  return true;
}

async function start() {
  if (token) {
    $("with-token").hidden = false;
    const button = $("sign-in");
    button.addEventListener("click", () => signIn("/console/api/session", { token }, button));
    button.focus();
    return;
  }
  $("no-token").hidden = false;
  const [demo, me] = await Promise.allSettled([showDemo(), api("/console/api/me")]);
  if (me.status === "fulfilled") $("signed-in").hidden = false;
  void demo;
}

void start();

// The console's pages talk to /console/api/* through here. Text from the server is only ever set
// with textContent (see `h`): what tipsters and officers write can never become markup.

/** An answer of the API that is not a success; `message` is the server's Vietnamese sentence. */
export class ApiError extends Error {
  constructor(status, body) {
    super(typeof body?.message === "string" ? body.message : fallbackMessage(status));
    this.name = "ApiError";
    this.status = status;
    this.code = typeof body?.error === "string" ? body.error : undefined;
  }
}

function fallbackMessage(status) {
  switch (status) {
    case 0:
      return "Không kết nối được máy chủ. Vui lòng kiểm tra mạng và thử lại.";
    case 401:
      return "Phiên đăng nhập đã hết hạn. Gửi /dangnhap cho bot để đăng nhập lại.";
    case 403:
      return "Việc này nằm ngoài địa bàn hoặc quyền của bạn.";
    case 404:
      return "Không tìm thấy.";
    case 409:
      return "Trạng thái tin báo không cho phép thao tác này (có thể người khác vừa xử lý). Trang đã được làm mới.";
    case 429:
      return "Bạn thao tác quá nhanh. Vui lòng thử lại sau ít phút.";
    case 503:
      return "Máy chủ tạm thời chưa phục vụ được. Vui lòng thử lại sau.";
    default:
      return "Có lỗi xảy ra. Vui lòng thử lại.";
  }
}

/** Listeners told when any request answers 401 (the shell then shows how to sign in). */
const signedOutListeners = new Set();
export function onSignedOut(listener) {
  signedOutListeners.add(listener);
}

/**
 * Calls the API. Changes carry `x-console: 1` (the server's CSRF check). `etag` is sent as
 * If-None-Match; a 304 answers `{status: 304}`. Resolves `{status, body, etag}` on 2xx/304,
 * rejects with ApiError otherwise (status 0 when the server cannot be reached).
 */
export async function api(path, { method = "GET", body, etag } = {}) {
  const headers = {};
  if (method !== "GET") headers["x-console"] = "1";
  if (body !== undefined) headers["content-type"] = "application/json";
  if (etag) headers["if-none-match"] = etag;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      // The page polls with its own If-None-Match: the HTTP cache must not answer for the server.
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, undefined);
  }
  if (res.status === 304) return { status: 304, etag };
  const data = res.status === 204 ? undefined : await res.json().catch(() => undefined);
  if (!res.ok) {
    if (res.status === 401) for (const l of signedOutListeners) l();
    throw new ApiError(res.status, data);
  }
  return { status: res.status, body: data, etag: res.headers.get("etag") ?? data?.etag ?? undefined };
}

/** `?a=1&b=2` from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

/**
 * Builds an element: `attrs` are attributes (`class`, `for`, `aria-*`…; `false`/`null` leave one
 * out, `true` sets it empty) and `on` listeners; children are nodes or strings (as text).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "on") for (const [type, fn] of Object.entries(v)) el.addEventListener(type, fn);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Number.POSITIVE_INFINITY))
    if (c !== undefined && c !== null && c !== false) el.append(c);
  return el;
}

export const TIME_ZONE = "Asia/Ho_Chi_Minh";

const DATE_TIME = new Intl.DateTimeFormat("vi-VN", {
  timeZone: TIME_ZONE,
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});
const DATE = new Intl.DateTimeFormat("vi-VN", {
  timeZone: TIME_ZONE,
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
});
const YMD = new Intl.DateTimeFormat("en-CA", {
  timeZone: TIME_ZONE,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});
const RELATIVE = new Intl.RelativeTimeFormat("vi", { numeric: "auto" });
const NUMBER = new Intl.NumberFormat("vi-VN");

/** "08/12/2026, 14:05" in Vietnam time. */
export const formatDateTime = (ms) => DATE_TIME.format(new Date(ms));
/** "2026-12-08" → "08/12/2026". */
export const formatDay = (ymd) => DATE.format(new Date(`${ymd}T12:00:00+07:00`));
/** Today in Vietnam, "2026-12-08". */
export const today = () => YMD.format(new Date());
export const formatNumber = (n) => NUMBER.format(n);

/** "3 giờ trước", "hôm qua", "5 phút trước". */
export function timeAgo(ms, now = Date.now()) {
  const minutes = Math.round((ms - now) / 60_000);
  if (Math.abs(minutes) < 1) return "vừa xong";
  if (Math.abs(minutes) < 60) return RELATIVE.format(minutes, "minute");
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 24) return RELATIVE.format(hours, "hour");
  return RELATIVE.format(Math.round(hours / 24), "day");
}

/** A duration in whole minutes as words: "45 phút", "3 giờ 20 phút", "2 ngày 4 giờ"; "—" for none. */
export function formatMinutes(minutes) {
  if (minutes === null || minutes === undefined || Number.isNaN(minutes)) return "—";
  const m = Math.round(minutes);
  if (m < 60) return `${m} phút`;
  if (m < 24 * 60) return `${Math.floor(m / 60)} giờ${m % 60 ? ` ${m % 60} phút` : ""}`;
  const hours = Math.round(m / 60);
  return `${Math.floor(hours / 24)} ngày${hours % 24 ? ` ${hours % 24} giờ` : ""}`;
}

/** How to get a sign-in link, shown when there is no session. */
export function signInHelp() {
  return h(
    "div",
    { class: "signin-help" },
    h("p", {}, "Bạn chưa đăng nhập, hoặc phiên làm việc đã hết hạn."),
    h(
      "p",
      {},
      "Để đăng nhập, gửi ",
      h("kbd", {}, "/dangnhap"),
      " cho bot Cổng trường an toàn trên Telegram hoặc Zalo. Bot gửi lại một đường dẫn dùng một lần, hiệu lực vài phút: mở đường dẫn đó trên máy này.",
    ),
    h("p", {}, h("a", { href: "/console/dang-nhap" }, "Mở trang đăng nhập")),
  );
}

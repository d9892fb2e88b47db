// Danh bạ, for province admins: communes, schools, contacts, routes, invitations and who is on
// duty, one part at a time (`#danh-ba/<part>`). Edits are checked by the server against the whole
// directory, as an imported YAML file is, and every running process takes the change at once.
import { ApiError, api, h } from "./api.js";
import { dutySection, invitationsSection } from "./directory-invites.js";
import { settingsSection } from "./directory-settings.js";
import { communesSection, contactsSection, routesSection, schoolsSection } from "./directory-tables.js";

const PARTS = [
  { id: "xa-phuong", label: "Xã phường" },
  { id: "truong-hoc", label: "Trường học" },
  { id: "can-bo", label: "Cán bộ/Đầu mối" },
  { id: "tuyen", label: "Tuyến chuyển tin" },
  { id: "loi-moi", label: "Lời mời" },
  { id: "ca-truc", label: "Ca trực" },
];

export function mountDirectory(section, { announce }) {
  const title = h("h1", { id: "title-danh-ba", tabindex: "-1" }, "Danh bạ");
  const status = h("div", { class: "status", role: "status" });
  const error = h("div", { class: "alert", role: "alert" });
  const links = PARTS.map((p) => h("a", { href: `#danh-ba/${p.id}`, "data-part": p.id }, p.label));
  const nav = h(
    "nav",
    { class: "subtabs", "aria-label": "Phần của danh bạ" },
    h(
      "ul",
      {},
      links.map((a) => h("li", {}, a)),
    ),
  );
  const province = h("p", { class: "fine" });

  let data;
  const ctx = {
    data: () => data,
    /** After a change the server accepted: the directory as it now is, and a word about it. */
    saved(answer, text) {
      if (answer?.directory) render(answer.directory);
      const n = answer?.changes ?? 0;
      ctx.status(
        n > 0 ? `${text} Mọi máy chủ dùng danh bạ mới trong giây lát.` : `${text} Không có gì thay đổi.`,
      );
    },
    status(text) {
      status.textContent = text;
      announce?.(text);
    },
  };
  const invitations = invitationsSection(ctx);
  const parts = {
    "xa-phuong": [communesSection(ctx)],
    "truong-hoc": [schoolsSection(ctx)],
    "can-bo": [
      contactsSection(ctx, {
        invite(contact) {
          // The form is filled, and takes the focus, when the part shows.
          invitations.invite(contact);
          location.hash = "#danh-ba/loi-moi";
        },
      }),
    ],
    tuyen: [routesSection(ctx), settingsSection(ctx)],
    "loi-moi": [invitations],
    "ca-truc": [dutySection()],
  };
  const panes = Object.fromEntries(
    Object.entries(parts).map(([id, list]) => [
      id,
      h(
        "div",
        { class: "dir-pane", hidden: true },
        list.map((p) => p.element),
      ),
    ]),
  );
  section.append(title, province, nav, status, error, ...Object.values(panes));

  function render(d) {
    data = d;
    province.textContent = `${d.province.name}: ${d.communes.length} xã/phường, ${d.schools.length} trường, ${d.contacts.length} đầu mối, ${d.routes.length} tuyến.`;
    for (const list of Object.values(parts)) for (const p of list) p.render(d);
  }

  let shown = PARTS[0].id;
  let loaded;
  async function load() {
    try {
      const { body } = await api("/console/api/directory");
      error.replaceChildren();
      render(body);
      return true;
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) error.replaceChildren(h("p", {}, e.message));
      return false;
    }
  }

  return {
    async show(rest) {
      const part = PARTS.some((p) => p.id === rest) ? rest : shown;
      const moved = part !== shown;
      shown = part;
      // What was said about the last change belongs to the part it was made in.
      if (moved) status.textContent = "";
      for (const a of links)
        if (a.dataset.part === part) a.setAttribute("aria-current", "page");
        else a.removeAttribute("aria-current");
      for (const [id, pane] of Object.entries(panes)) pane.hidden = id !== part;
      if (!loaded) loaded = load();
      if (!(await loaded)) loaded = undefined;
      const focused = parts[part].map((p) => p.show?.() === true).includes(true);
      // Another part: the focus goes to its heading, as after a page load.
      const heading = panes[part].querySelector("h2");
      if (moved && !focused && heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
    },
    hide() {},
  };
}

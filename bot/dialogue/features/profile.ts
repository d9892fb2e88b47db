import { t, withLang } from "../../../i18n.js";
import type { Choice, Feature, Reply, Turn } from "../feature.js";

const ROLE_IDS = ["phu-huynh", "giao-vien", "hoc-sinh", "cong-an"] as const;
const roles = (): Choice[] => ROLE_IDS.map((r) => ({ data: `role:${r}`, label: t(`role.${r}`) }));

const askRole = (): Reply[] => [{ text: t("role.prompt"), choices: roles() }];

function askSchool(turn: Turn): Reply[] {
  turn.session.flow = { kind: "school" };
  return [{ text: t("school.prompt") }];
}

function setLanguage(turn: Turn, arg: string): Promise<Reply[]> {
  const lang = arg.trim().toLowerCase() === "en" ? "en" : "vi";
  turn.session.lang = lang;
  return withLang(lang, async () => [{ text: t("language.set"), choices: turn.menu() }]);
}

/**
 * Who is talking and how: role (`/vaitro`, `role:<id>`), the school remembered for reports
 * (`/truong`, flow "school", `school:<id>`) and the language (`/lang en|vi`).
 */
export const profileFeature: Feature = {
  name: "profile",
  menu: [
    { id: "role", label: "menu.role", order: 40, open: askRole },
    { id: "school", label: "menu.school", order: 50, open: askSchool },
    {
      id: "language",
      label: "menu.language",
      order: 60,
      open: (turn) => setLanguage(turn, turn.session.lang === "en" ? "vi" : "en"),
    },
  ],
  commands: { vaitro: askRole, truong: askSchool, lang: setLanguage },
  flows: {
    school: (turn, text) => {
      const schools = turn.deps.routing.searchPlaces(text, 6).filter((m) => m.kind === "school");
      if (schools.length === 0) return [{ text: t("school.notFound") }];
      return [
        {
          text: t("school.choose"),
          choices: schools.map((m) => ({ data: `school:${m.id}`, label: m.name })),
        },
      ];
    },
  },
  choices: {
    role: (turn, [role]) => {
      if (role !== "phu-huynh" && role !== "giao-vien" && role !== "hoc-sinh" && role !== "cong-an")
        return undefined;
      turn.session.role = role;
      return [{ text: t("role.saved"), choices: turn.menu() }];
    },
    school: (turn, [id]) => {
      const school = turn.deps.routing.schools.find((x) => x.id === id);
      if (turn.session.flow?.kind !== "school" || !school) return undefined;
      turn.session.schoolId = school.id;
      turn.session.flow = undefined;
      return [{ text: t("school.saved", { name: school.name }), choices: turn.menu() }];
    },
  },
};

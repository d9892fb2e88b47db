import type { Feature } from "../feature.js";
import { aboutFeature } from "./about.js";
import { askFeature } from "./ask.js";
import { documentUploadFeature } from "./document-upload.js";
import { dutyFeature } from "./duty.js";
import { dutyRosterFeature } from "./duty-roster.js";
import { incidentAnswerFeature } from "./incident-answer.js";
import { incidentOfficerFeature } from "./incident-officer.js";
import { incidentReportFeature } from "./incident-report.js";
import { inviteFeature } from "./invite.js";
import { joinFeature } from "./join.js";
import { menuFeature } from "./menu.js";
import { officerFeature } from "./officer.js";
import { profileFeature } from "./profile.js";
import { reportFeature } from "./report.js";
import { signInFeature } from "./sign-in.js";
import { statusFeature } from "./status.js";
import { tipsterAnswerFeature } from "./tipster-answer.js";

/**
 * Every feature of the conversation. The order matters twice: `beforeTurn` hooks run in it (a
 * timed-out draft is dropped before a waiting question claims the message) and plain text is
 * offered to `recognise` in it — so `ask`, which takes any text, comes last. The main menu is
 * ordered by its entries' `order`.
 */
export const FEATURES: readonly Feature[] = [
  menuFeature,
  reportFeature,
  incidentReportFeature,
  tipsterAnswerFeature,
  incidentAnswerFeature,
  statusFeature,
  officerFeature,
  incidentOfficerFeature,
  dutyFeature,
  dutyRosterFeature,
  joinFeature,
  inviteFeature,
  signInFeature,
  documentUploadFeature,
  profileFeature,
  aboutFeature,
  askFeature,
];

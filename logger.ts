import { pino } from "pino";

/**
 * The one logger. Fields that could identify a tipster are redacted by path wherever they
 * appear, as a second line of defence: code must not log them in the first place.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): pino.Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: [
          "*.chatId",
          "*.userId",
          "*.username",
          "*.phone",
          "*.from",
          "*.replyHandle",
          "chatId",
          "userId",
        ],
        censor: "[redacted]",
      },
    },
    destination ?? pino.destination(2),
  );
}

export type Logger = pino.Logger;

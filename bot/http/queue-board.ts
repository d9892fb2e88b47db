import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { FastifyAdapter } from "@bull-board/fastify";
import type { FastifyInstance } from "fastify";
import type { TipQueues } from "../../workers/queues/tip-queues.js";
import { secretMatches } from "./secret.js";

export interface AdminCredentials {
  readonly user: string;
  readonly password: string;
}

const BASE = "/admin/queues";

/**
 * Bull Board for admins at /admin/queues, behind HTTP basic authentication compared in constant
 * time. Job data holds ids only, so the board shows no tipster data.
 */
export async function registerQueueBoard(
  app: FastifyInstance,
  queues: TipQueues,
  admin: AdminCredentials,
): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  createBullBoard({
    queues: [queues.intake, queues.notify, queues.escalate, queues.deadLetter].map(
      (q) => new BullMQAdapter(q),
    ),
    serverAdapter,
  });
  serverAdapter.setBasePath(BASE);
  await app.register(async (scope) => {
    scope.addHook("onRequest", async (req, reply) => {
      const header = req.headers.authorization ?? "";
      const decoded = header.startsWith("Basic ")
        ? Buffer.from(header.slice(6), "base64").toString("utf8")
        : "";
      const sep = decoded.indexOf(":");
      const userOk = secretMatches(decoded.slice(0, Math.max(sep, 0)), admin.user);
      const passOk = secretMatches(decoded.slice(sep + 1), admin.password);
      if (sep < 0 || !(userOk && passOk)) {
        await reply.header("www-authenticate", 'Basic realm="queues"').code(401).send({ ok: false });
      }
    });
    await scope.register(serverAdapter.registerPlugin(), { prefix: BASE });
  });
}

import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { FastifyAdapter } from "@bull-board/fastify";
import type { FastifyInstance } from "fastify";
import type { TipQueues } from "../../workers/queues/tip-queues.js";
import { type AdminCredentials, basicAuth } from "./basic-auth.js";

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
    scope.addHook("onRequest", basicAuth(admin, "queues"));
    await scope.register(serverAdapter.registerPlugin(), { prefix: BASE });
  });
}

import type { FastifyReply, FastifyRequest } from "fastify";
import { secretMatches } from "./secret.js";

/** The admin's login (ADMIN_USER / ADMIN_PASSWORD): the queue board and /metrics. */
export interface AdminCredentials {
  readonly user: string;
  readonly password: string;
}

/**
 * An `onRequest` hook answering 401 with a Basic challenge unless the request carries `admin`'s
 * credentials. Runs before the body is read; user and password are both compared in constant
 * time, and both always, so timing does not tell which one was wrong.
 */
export function basicAuth(admin: AdminCredentials, realm: string) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const header = req.headers.authorization ?? "";
    const decoded = header.startsWith("Basic ")
      ? Buffer.from(header.slice(6), "base64").toString("utf8")
      : "";
    const sep = decoded.indexOf(":");
    const userOk = secretMatches(decoded.slice(0, Math.max(sep, 0)), admin.user);
    const passOk = secretMatches(decoded.slice(sep + 1), admin.password);
    if (sep < 0 || !(userOk && passOk))
      return reply.header("www-authenticate", `Basic realm="${realm}"`).code(401).send({ ok: false });
    return undefined;
  };
}

import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { TipQueues } from "./queues/tip-queues.js";

/**
 * The service's Prometheus metrics, in their own registry (no global state, so tests and
 * several instances in one process do not collide). Labels never carry user data.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly answers = new Counter({
    name: "ssg_answers_total",
    help: "Questions answered, by whether the bot abstained",
    labelNames: ["abstained"] as const,
    registers: [this.registry],
  });
  readonly phrased = new Counter({
    name: "ssg_llm_phrased_total",
    help: "Answers given to the optional language model: 'model' when its phrasing was sent, else why the extractive answer was kept (timeout, http, number, reference …)",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  readonly tips = new Counter({
    name: "ssg_tips_total",
    help: "Tips received, by category and urgency",
    labelNames: ["category", "urgency"] as const,
    registers: [this.registry],
  });
  readonly deliveryFailures = new Counter({
    name: "ssg_delivery_failures_total",
    help: "Deliveries that failed for good and went to the dead-letter queue",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });
  readonly ackLatency = new Histogram({
    name: "ssg_tip_ack_seconds",
    help: "Time from a tip's receipt to its acknowledgement by an officer",
    buckets: [30, 60, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600],
    registers: [this.registry],
  });

  /** Adds queue depths, read when Prometheus scrapes. */
  watchQueues(queues: TipQueues): void {
    const all = [queues.intake, queues.notify, queues.escalate, queues.deadLetter];
    new Gauge({
      name: "ssg_queue_jobs",
      help: "Jobs per queue and state",
      labelNames: ["queue", "state"] as const,
      registers: [this.registry],
      async collect() {
        for (const q of all) {
          const counts = await q.getJobCounts("waiting", "active", "delayed", "failed", "prioritized");
          for (const [state, n] of Object.entries(counts)) this.set({ queue: q.name, state }, n);
        }
      },
    });
  }
}

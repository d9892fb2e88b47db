CREATE TYPE "public"."audience_role" AS ENUM('parent', 'pupil', 'teacher');--> statement-breakpoint
CREATE TYPE "public"."campaign_status" AS ENUM('scheduled', 'sending', 'done', 'cancelled');--> statement-breakpoint
CREATE TABLE "campaigns" (
	"id" uuid PRIMARY KEY NOT NULL,
	"author" text NOT NULL,
	"audience" jsonb NOT NULL,
	"text" text NOT NULL,
	"send_at" timestamp with time zone NOT NULL,
	"status" "campaign_status" NOT NULL,
	"sent" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"blocked" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "subscribers" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "subscribers_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"channel" "contact_channel" NOT NULL,
	"chat_id" text NOT NULL,
	"role" "audience_role" NOT NULL,
	"school_id" text NOT NULL,
	"class_name" text,
	"commune_id" text NOT NULL,
	"subscribed_at" timestamp with time zone NOT NULL,
	"blocked_at" timestamp with time zone,
	"unsubscribed_at" timestamp with time zone,
	CONSTRAINT "subscribers_chat_school_role" UNIQUE("channel","chat_id","school_id","role")
);
--> statement-breakpoint
CREATE INDEX "campaigns_status_idx" ON "campaigns" USING btree ("status","send_at");--> statement-breakpoint
CREATE INDEX "subscribers_school_idx" ON "subscribers" USING btree ("school_id","role","id");--> statement-breakpoint
CREATE INDEX "subscribers_commune_idx" ON "subscribers" USING btree ("commune_id","role","id");
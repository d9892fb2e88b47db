CREATE TYPE "public"."incident_kind" AS ENUM('bao-luc-hoc-duong', 'ma-tuy', 'chay-no', 'tai-nan-giao-thong', 'xam-nhap', 'an-ninh-mang', 'khac');--> statement-breakpoint
CREATE TYPE "public"."incident_outcome" AS ENUM('da-xu-ly', 'chuyen-co-quan-khac', 'khong-co-co-so', 'trung');--> statement-breakpoint
CREATE TYPE "public"."incident_place" AS ENUM('trong-truong', 'cong-truong', 'duong-den-truong', 'gan-truong', 'tren-mang', 'khac');--> statement-breakpoint
CREATE TYPE "public"."incident_status" AS ENUM('received', 'routed', 'delivered', 'acknowledged', 'on-site', 'closed');--> statement-breakpoint
CREATE TABLE "incident_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "incident_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"incident_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"detail" text
);
--> statement-breakpoint
CREATE TABLE "incident_photos" (
	"incident_id" uuid NOT NULL,
	"photo_id" text NOT NULL,
	"bytes" "bytea" NOT NULL,
	CONSTRAINT "incident_photos_incident_id_photo_id_pk" PRIMARY KEY("incident_id","photo_id")
);
--> statement-breakpoint
CREATE TABLE "incidents" (
	"id" uuid PRIMARY KEY NOT NULL,
	"case_code" text NOT NULL,
	"school_id" text NOT NULL,
	"commune_id" text NOT NULL,
	"reporter_person_id" uuid NOT NULL,
	"reporter_name" text NOT NULL,
	"reporter_school_role" "school_role" NOT NULL,
	"reporter_channel" "contact_channel",
	"reporter_chat_id" text,
	"kind" "incident_kind" NOT NULL,
	"urgency" "tip_urgency" NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"place" "incident_place" NOT NULL,
	"place_text" text,
	"description" text NOT NULL,
	"involved" jsonb NOT NULL,
	"injuries" text,
	"school_action" text,
	"photo_ids" jsonb NOT NULL,
	"status" "incident_status" NOT NULL,
	"chain" jsonb NOT NULL,
	"level" smallint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"delivered_at" timestamp with time zone,
	"acknowledged_at" timestamp with time zone,
	"acknowledged_by" text,
	"on_site_at" timestamp with time zone,
	"on_site_by" text,
	"closed_at" timestamp with time zone,
	"closed_by" text,
	"outcome" "incident_outcome",
	"erased_at" timestamp with time zone,
	CONSTRAINT "incidents_caseCode_unique" UNIQUE("case_code"),
	CONSTRAINT "incidents_closed_has_outcome" CHECK (("incidents"."status" = 'closed') = ("incidents"."outcome" is not null and "incidents"."closed_at" is not null)),
	CONSTRAINT "incidents_reporter_chat" CHECK (("incidents"."reporter_channel" is null) = ("incidents"."reporter_chat_id" is null))
);
--> statement-breakpoint
ALTER TABLE "incident_events" ADD CONSTRAINT "incident_events_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_photos" ADD CONSTRAINT "incident_photos_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "incident_events_incident_idx" ON "incident_events" USING btree ("incident_id","id");--> statement-breakpoint
CREATE INDEX "incidents_school_occurred_idx" ON "incidents" USING btree ("school_id","occurred_at");--> statement-breakpoint
CREATE INDEX "incidents_reporter_idx" ON "incidents" USING btree ("reporter_person_id");--> statement-breakpoint
CREATE INDEX "incidents_commune_idx" ON "incidents" USING btree ("commune_id","status");--> statement-breakpoint
CREATE INDEX "incidents_closed_idx" ON "incidents" USING btree ("closed_at");
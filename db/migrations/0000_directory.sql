CREATE TYPE "public"."audit_change" AS ENUM('added', 'changed', 'removed');--> statement-breakpoint
CREATE TYPE "public"."commune_kind" AS ENUM('xa', 'phuong', 'dac-khu');--> statement-breakpoint
CREATE TYPE "public"."contact_channel" AS ENUM('telegram', 'zalo');--> statement-breakpoint
CREATE TYPE "public"."contact_role" AS ENUM('duty-desk', 'unit', 'officer');--> statement-breakpoint
CREATE TYPE "public"."route_step_role" AS ENUM('primary', 'backup', 'duty');--> statement-breakpoint
CREATE TYPE "public"."school_level" AS ENUM('mam-non', 'tieu-hoc', 'thcs', 'thpt', 'lien-cap');--> statement-breakpoint
CREATE TYPE "public"."tip_category" AS ENUM('ma-tuy', 'bao-luc-hoc-duong', 'chay-no', 'an-ninh-mang', 'khac');--> statement-breakpoint
CREATE TYPE "public"."tip_urgency" AS ENUM('khan-cap', 'binh-thuong');--> statement-breakpoint
CREATE TABLE "communes" (
	"id" text PRIMARY KEY NOT NULL,
	"province_id" text NOT NULL,
	"name" text NOT NULL,
	"kind" "commune_kind",
	"position" integer NOT NULL,
	CONSTRAINT "communes_id_format" CHECK ("communes"."id" ~ '^[a-z0-9]+(-[a-z0-9]+)*$')
);
--> statement-breakpoint
CREATE TABLE "contact_bindings" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "contact_bindings_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"contact_id" text NOT NULL,
	"channel" "contact_channel" NOT NULL,
	"chat_id" text NOT NULL,
	"bound_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "contact_bindings_contact_channel_key" UNIQUE("contact_id","channel"),
	CONSTRAINT "contact_bindings_chat_id_not_empty" CHECK (length("contact_bindings"."chat_id") between 1 and 128)
);
--> statement-breakpoint
CREATE TABLE "contacts" (
	"id" text PRIMARY KEY NOT NULL,
	"province_id" text NOT NULL,
	"name" text NOT NULL,
	"rank" text,
	"unit" text,
	"role" "contact_role",
	"position" integer NOT NULL,
	CONSTRAINT "contacts_id_format" CHECK ("contacts"."id" ~ '^[a-z0-9]+(-[a-z0-9]+)*$')
);
--> statement-breakpoint
CREATE TABLE "deadlines" (
	"province_id" text NOT NULL,
	"urgency" "tip_urgency" NOT NULL,
	"ack_within_ms" bigint NOT NULL,
	CONSTRAINT "deadlines_province_id_urgency_pk" PRIMARY KEY("province_id","urgency"),
	CONSTRAINT "deadlines_positive" CHECK ("deadlines"."ack_within_ms" > 0)
);
--> statement-breakpoint
CREATE TABLE "directory_audit" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "directory_audit_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"batch" uuid NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"source" text,
	"entity" text NOT NULL,
	"entity_key" text NOT NULL,
	"change" "audit_change" NOT NULL,
	"before" jsonb,
	"after" jsonb
);
--> statement-breakpoint
CREATE TABLE "duty_officer" (
	"province_id" text PRIMARY KEY NOT NULL,
	"contact_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "provinces" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	CONSTRAINT "provinces_id_format" CHECK ("provinces"."id" ~ '^[a-z0-9]+(-[a-z0-9]+)*$')
);
--> statement-breakpoint
CREATE TABLE "route_steps" (
	"route_id" bigint NOT NULL,
	"position" smallint NOT NULL,
	"role" "route_step_role" NOT NULL,
	"contact_id" text NOT NULL,
	CONSTRAINT "route_steps_route_id_position_pk" PRIMARY KEY("route_id","position")
);
--> statement-breakpoint
CREATE TABLE "routes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "routes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"province_id" text NOT NULL,
	"category" "tip_category",
	"commune_id" text,
	"position" integer NOT NULL,
	CONSTRAINT "routes_province_category_commune_key" UNIQUE NULLS NOT DISTINCT("province_id","category","commune_id")
);
--> statement-breakpoint
CREATE TABLE "schools" (
	"id" text PRIMARY KEY NOT NULL,
	"province_id" text NOT NULL,
	"commune_id" text NOT NULL,
	"name" text NOT NULL,
	"level" "school_level",
	"position" integer NOT NULL,
	CONSTRAINT "schools_id_format" CHECK ("schools"."id" ~ '^[a-z0-9]+(-[a-z0-9]+)*$')
);
--> statement-breakpoint
ALTER TABLE "communes" ADD CONSTRAINT "communes_province_id_provinces_id_fk" FOREIGN KEY ("province_id") REFERENCES "public"."provinces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_bindings" ADD CONSTRAINT "contact_bindings_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_province_id_provinces_id_fk" FOREIGN KEY ("province_id") REFERENCES "public"."provinces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deadlines" ADD CONSTRAINT "deadlines_province_id_provinces_id_fk" FOREIGN KEY ("province_id") REFERENCES "public"."provinces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "duty_officer" ADD CONSTRAINT "duty_officer_province_id_provinces_id_fk" FOREIGN KEY ("province_id") REFERENCES "public"."provinces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "duty_officer" ADD CONSTRAINT "duty_officer_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "route_steps" ADD CONSTRAINT "route_steps_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "route_steps" ADD CONSTRAINT "route_steps_route_id_routes_id_fk" FOREIGN KEY ("route_id") REFERENCES "public"."routes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routes" ADD CONSTRAINT "routes_province_id_provinces_id_fk" FOREIGN KEY ("province_id") REFERENCES "public"."provinces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routes" ADD CONSTRAINT "routes_commune_id_communes_id_fk" FOREIGN KEY ("commune_id") REFERENCES "public"."communes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schools" ADD CONSTRAINT "schools_province_id_provinces_id_fk" FOREIGN KEY ("province_id") REFERENCES "public"."provinces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schools" ADD CONSTRAINT "schools_commune_id_communes_id_fk" FOREIGN KEY ("commune_id") REFERENCES "public"."communes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "communes_province_idx" ON "communes" USING btree ("province_id","position");--> statement-breakpoint
CREATE INDEX "contact_bindings_chat_idx" ON "contact_bindings" USING btree ("channel","chat_id");--> statement-breakpoint
CREATE INDEX "contacts_province_idx" ON "contacts" USING btree ("province_id","position");--> statement-breakpoint
CREATE INDEX "directory_audit_at_idx" ON "directory_audit" USING btree ("at");--> statement-breakpoint
CREATE INDEX "directory_audit_entity_idx" ON "directory_audit" USING btree ("entity","entity_key");--> statement-breakpoint
CREATE INDEX "route_steps_contact_idx" ON "route_steps" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "schools_commune_idx" ON "schools" USING btree ("commune_id");--> statement-breakpoint
CREATE INDEX "schools_province_idx" ON "schools" USING btree ("province_id","position");
CREATE TYPE "public"."person_role" AS ENUM('province-admin', 'police-contact', 'school-staff');--> statement-breakpoint
CREATE TYPE "public"."school_role" AS ENUM('head', 'safety-staff', 'teacher');--> statement-breakpoint
CREATE TYPE "public"."tip_outcome" AS ENUM('co-co-so', 'khong-co-so', 'trung', 'bao-sai', 'chi-de-biet');--> statement-breakpoint
CREATE TABLE "duty_status" (
	"contact_id" text PRIMARY KEY NOT NULL,
	"on_duty" boolean NOT NULL,
	"until" timestamp with time zone,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"changed_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invitations" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "invitations_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"province_id" text NOT NULL,
	"code_hash" text NOT NULL,
	"role" "person_role" NOT NULL,
	"contact_id" text,
	"school_id" text,
	"school_role" "school_role",
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"used_by" uuid,
	"revoked_at" timestamp with time zone,
	"revoked_by" text,
	CONSTRAINT "invitations_codeHash_unique" UNIQUE("code_hash"),
	CONSTRAINT "invitations_expiry_after_creation" CHECK ("invitations"."expires_at" > "invitations"."created_at"),
	CONSTRAINT "invitations_shape" CHECK (("invitations"."role" = 'police-contact' and "invitations"."contact_id" is not null and "invitations"."school_id" is null and "invitations"."school_role" is null)
        or ("invitations"."role" = 'school-staff' and "invitations"."school_id" is not null and "invitations"."school_role" is not null and "invitations"."contact_id" is null)
        or ("invitations"."role" = 'province-admin' and "invitations"."contact_id" is null and "invitations"."school_id" is null and "invitations"."school_role" is null))
);
--> statement-breakpoint
CREATE TABLE "people" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"province_id" text NOT NULL,
	"name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "person_bindings" (
	"person_id" uuid NOT NULL,
	"channel" "contact_channel" NOT NULL,
	"chat_id" text NOT NULL,
	"bound_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "person_bindings_channel_chat_id_pk" PRIMARY KEY("channel","chat_id"),
	CONSTRAINT "person_bindings_person_channel_key" UNIQUE("person_id","channel"),
	CONSTRAINT "person_bindings_chat_id_not_empty" CHECK (length("person_bindings"."chat_id") between 1 and 128)
);
--> statement-breakpoint
CREATE TABLE "person_roles" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "person_roles_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"person_id" uuid NOT NULL,
	"role" "person_role" NOT NULL,
	"contact_id" text,
	"school_id" text,
	"school_role" "school_role",
	"granted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"granted_by" text NOT NULL,
	CONSTRAINT "person_roles_key" UNIQUE NULLS NOT DISTINCT("person_id","role","contact_id","school_id"),
	CONSTRAINT "person_roles_shape" CHECK (("person_roles"."role" = 'police-contact' and "person_roles"."contact_id" is not null and "person_roles"."school_id" is null and "person_roles"."school_role" is null)
        or ("person_roles"."role" = 'school-staff' and "person_roles"."school_id" is not null and "person_roles"."school_role" is not null and "person_roles"."contact_id" is null)
        or ("person_roles"."role" = 'province-admin' and "person_roles"."contact_id" is null and "person_roles"."school_id" is null and "person_roles"."school_role" is null))
);
--> statement-breakpoint
CREATE TABLE "tip_outcomes" (
	"id" uuid PRIMARY KEY NOT NULL,
	"province_id" text NOT NULL,
	"category" "tip_category" NOT NULL,
	"urgency" "tip_urgency" NOT NULL,
	"commune_id" text,
	"school_id" text,
	"received_on" date NOT NULL,
	"closed_on" date NOT NULL,
	"ack_minutes" integer,
	"close_minutes" integer NOT NULL,
	"outcome" "tip_outcome" NOT NULL,
	CONSTRAINT "tip_outcomes_minutes" CHECK ("tip_outcomes"."close_minutes" >= 0 and ("tip_outcomes"."ack_minutes" is null or "tip_outcomes"."ack_minutes" >= 0))
);
--> statement-breakpoint
ALTER TABLE "duty_status" ADD CONSTRAINT "duty_status_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_province_id_provinces_id_fk" FOREIGN KEY ("province_id") REFERENCES "public"."provinces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_used_by_people_id_fk" FOREIGN KEY ("used_by") REFERENCES "public"."people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "people" ADD CONSTRAINT "people_province_id_provinces_id_fk" FOREIGN KEY ("province_id") REFERENCES "public"."provinces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "person_bindings" ADD CONSTRAINT "person_bindings_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "person_roles" ADD CONSTRAINT "person_roles_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "person_roles" ADD CONSTRAINT "person_roles_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "person_roles" ADD CONSTRAINT "person_roles_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "invitations_contact_idx" ON "invitations" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "person_roles_contact_idx" ON "person_roles" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "person_roles_school_idx" ON "person_roles" USING btree ("school_id");--> statement-breakpoint
CREATE INDEX "tip_outcomes_received_idx" ON "tip_outcomes" USING btree ("province_id","received_on");--> statement-breakpoint
CREATE INDEX "tip_outcomes_commune_idx" ON "tip_outcomes" USING btree ("commune_id","received_on");
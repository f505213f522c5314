CREATE TABLE "event_inventory" (
	"event_id" text PRIMARY KEY NOT NULL,
	"tickets_total" integer NOT NULL,
	"tickets_sold" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "event_inventory_tickets_total_positive" CHECK ("event_inventory"."tickets_total" > 0),
	CONSTRAINT "event_inventory_sold_not_negative" CHECK ("event_inventory"."tickets_sold" >= 0),
	CONSTRAINT "event_inventory_sold_within_total" CHECK ("event_inventory"."tickets_sold" <= "event_inventory"."tickets_total")
);
--> statement-breakpoint
DROP INDEX "orders_event_id_idx";--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "admission_rate_per_second" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "max_active_checkouts" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "paused" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "join_challenge_bits" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "max_per_buyer" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "checkout_window_seconds" integer DEFAULT 300 NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "shuffle_seed" text;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "shuffle_commitment" text;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "reason" text;--> statement-breakpoint
CREATE INDEX "orders_event_id_idx" ON "orders" USING btree ("event_id","id");--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_status_reason" CHECK (("orders"."status" = 'confirmed' and "orders"."reason" is null) or ("orders"."status" = 'rejected' and "orders"."reason" in ('SOLD_OUT', 'INVALID', 'FAILED')));--> statement-breakpoint
-- Backfill, written by hand. Events stored before definitions existed: the contract's default for
-- maxPerBuyer is maxPerOrder. Their version stays 0, so the first definition replaces every field.
UPDATE "events" SET "max_per_buyer" = "max_per_order";--> statement-breakpoint
-- The cap of every event already stored, counted from its ticket rows. A ledger that already holds
-- more than tickets_total (which the CHECK would refuse) is sold out: tickets_sold = tickets_total.
INSERT INTO "event_inventory" ("event_id", "tickets_total", "tickets_sold")
SELECT "events"."id", "events"."tickets_total",
       least("events"."tickets_total", (SELECT count(*) FROM "tickets" WHERE "tickets"."event_id" = "events"."id"))
FROM "events";

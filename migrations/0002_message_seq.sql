ALTER TABLE "messages" DROP CONSTRAINT "messages_user_id_users_id_fk";
--> statement-breakpoint
DROP INDEX "messages_room_id_idx";--> statement-breakpoint
ALTER TABLE "messages" ALTER COLUMN "user_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ALTER COLUMN "text" DROP NOT NULL;--> statement-breakpoint
-- Added by hand after generation: existing messages get their seq (in id order, per room) before
-- the column becomes NOT NULL, and each room's last_seq is set to match.
ALTER TABLE "messages" ADD COLUMN "seq" bigint;--> statement-breakpoint
UPDATE "messages" AS m SET "seq" = numbered.seq
FROM (SELECT "id", row_number() OVER (PARTITION BY "room_id" ORDER BY "id") AS seq FROM "messages") AS numbered
WHERE m."id" = numbered."id";--> statement-breakpoint
ALTER TABLE "messages" ALTER COLUMN "seq" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "rooms" ADD COLUMN "last_seq" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
UPDATE "rooms" AS r SET "last_seq" = counts.last_seq
FROM (SELECT "room_id", max("seq") AS last_seq FROM "messages" GROUP BY "room_id") AS counts
WHERE r."id" = counts."room_id";--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "messages_room_seq_key" ON "messages" USING btree ("room_id","seq");--> statement-breakpoint
-- Added by hand (drizzle-kit does not model triggers): when an author's account is deleted, the
-- foreign key sets user_id to null, and this trigger empties the message in the same statement,
-- leaving a tombstone that keeps its seq.
CREATE FUNCTION "messages_tombstone"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."text" := NULL;
  NEW."client_msg_id" := NULL;
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "messages_tombstone" BEFORE UPDATE OF "user_id" ON "messages"
FOR EACH ROW WHEN (OLD."user_id" IS NOT NULL AND NEW."user_id" IS NULL)
EXECUTE FUNCTION "messages_tombstone"();

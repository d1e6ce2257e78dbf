CREATE TABLE "media" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "media_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"owner_id" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ready" boolean DEFAULT false NOT NULL,
	"visibility" text NOT NULL,
	"room_id" integer,
	"file" text NOT NULL,
	"preview_file" text NOT NULL,
	"width" integer NOT NULL,
	"height" integer NOT NULL,
	"blurhash" text NOT NULL,
	"alt" text DEFAULT '' NOT NULL,
	"bytes" integer NOT NULL,
	"used_as" text,
	"attached_at" timestamp with time zone,
	"post_id" bigint,
	"message_id" bigint,
	"position" smallint,
	"claim_key" text,
	CONSTRAINT "media_visibility_check" CHECK ("media"."visibility" IN ('public', 'private')),
	CONSTRAINT "media_used_as_check" CHECK ("media"."used_as" IS NULL OR "media"."used_as" IN ('post', 'message', 'avatar')),
	CONSTRAINT "media_private_has_room" CHECK ("media"."visibility" = 'public' OR "media"."room_id" IS NOT NULL)
);
--> statement-breakpoint
CREATE TABLE "media_file_deletions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "media_file_deletions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"visibility" text NOT NULL,
	"file" text NOT NULL,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "media" jsonb;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "avatar_media_id" bigint;--> statement-breakpoint
ALTER TABLE "media" ADD CONSTRAINT "media_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "media" ADD CONSTRAINT "media_room_id_rooms_id_fk" FOREIGN KEY ("room_id") REFERENCES "public"."rooms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "media" ADD CONSTRAINT "media_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "public"."posts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "media" ADD CONSTRAINT "media_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "media_file_key" ON "media" USING btree ("file");--> statement-breakpoint
CREATE UNIQUE INDEX "media_preview_file_key" ON "media" USING btree ("preview_file");--> statement-breakpoint
CREATE INDEX "media_post_idx" ON "media" USING btree ("post_id","position") WHERE "media"."post_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "media_message_idx" ON "media" USING btree ("message_id") WHERE "media"."message_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "media_unattached_idx" ON "media" USING btree ("created_at") WHERE "media"."post_id" IS NULL AND "media"."message_id" IS NULL AND "media"."used_as" IS DISTINCT FROM 'avatar';--> statement-breakpoint
CREATE INDEX "media_owner_idx" ON "media" USING btree ("owner_id");--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_avatar_media_id_media_id_fk" FOREIGN KEY ("avatar_media_id") REFERENCES "public"."media"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "users_avatar_media_idx" ON "users" USING btree ("avatar_media_id") WHERE "users"."avatar_media_id" IS NOT NULL;--> statement-breakpoint
-- Added by hand (drizzle-kit does not model triggers). Every deleted media row, however it goes
-- (its post, message, room or owner deleted, an avatar replaced, the sweeper), queues its two
-- files for removal in the statement that deletes it: user-service's sweeper removes them.
CREATE FUNCTION "media_queue_file_deletions"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "media_file_deletions" ("visibility", "file")
  VALUES (OLD."visibility", OLD."file"), (OLD."visibility", OLD."preview_file");
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "media_queue_file_deletions" AFTER DELETE ON "media"
FOR EACH ROW EXECUTE FUNCTION "media_queue_file_deletions"();--> statement-breakpoint
-- A stored message with pictures links the media rows it claimed (ws-service claims them before
-- the message is queued for storage), in the statement that stores it.
CREATE FUNCTION "messages_link_media"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "media" SET "message_id" = NEW."id"
  WHERE "id" IN (SELECT ("e"->>'id')::bigint FROM jsonb_array_elements(NEW."media") "e")
    AND "used_as" = 'message' AND "message_id" IS NULL;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "messages_link_media" AFTER INSERT ON "messages"
FOR EACH ROW WHEN (NEW."media" IS NOT NULL) EXECUTE FUNCTION "messages_link_media"();--> statement-breakpoint
-- A message that becomes a tombstone (deleted, or its author's account deleted: the trigger
-- "messages_tombstone" clears the text first, triggers running in name order) loses its
-- pictures: the rows go, and with them the files.
CREATE FUNCTION "messages_tombstone_media"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."media" := NULL;
  DELETE FROM "media" WHERE "message_id" = OLD."id";
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "messages_tombstone_media" BEFORE UPDATE ON "messages"
FOR EACH ROW WHEN (OLD."media" IS NOT NULL AND NEW."text" IS NULL AND OLD."text" IS NOT NULL)
EXECUTE FUNCTION "messages_tombstone_media"();

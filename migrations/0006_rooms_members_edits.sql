CREATE TABLE "direct_rooms" (
	"user_low" integer NOT NULL,
	"user_high" integer NOT NULL,
	"room_id" integer NOT NULL,
	CONSTRAINT "direct_rooms_user_low_user_high_pk" PRIMARY KEY("user_low","user_high"),
	CONSTRAINT "direct_rooms_ordered" CHECK ("direct_rooms"."user_low" < "direct_rooms"."user_high")
);
--> statement-breakpoint
CREATE TABLE "room_bans" (
	"room_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"banned_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "room_bans_room_id_user_id_pk" PRIMARY KEY("room_id","user_id")
);
--> statement-breakpoint
DROP INDEX "room_members_user_id_idx";--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "kind" text DEFAULT 'message' NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "target_seq" bigint;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "edited_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "deleted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "room_members" ADD COLUMN "role" text DEFAULT 'member' NOT NULL;--> statement-breakpoint
ALTER TABLE "room_members" ADD COLUMN "read_seq" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "rooms" ADD COLUMN "kind" text DEFAULT 'public' NOT NULL;--> statement-breakpoint
ALTER TABLE "direct_rooms" ADD CONSTRAINT "direct_rooms_user_low_users_id_fk" FOREIGN KEY ("user_low") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "direct_rooms" ADD CONSTRAINT "direct_rooms_user_high_users_id_fk" FOREIGN KEY ("user_high") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "direct_rooms" ADD CONSTRAINT "direct_rooms_room_id_rooms_id_fk" FOREIGN KEY ("room_id") REFERENCES "public"."rooms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "room_bans" ADD CONSTRAINT "room_bans_room_id_rooms_id_fk" FOREIGN KEY ("room_id") REFERENCES "public"."rooms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "room_bans" ADD CONSTRAINT "room_bans_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "room_bans" ADD CONSTRAINT "room_bans_banned_by_users_id_fk" FOREIGN KEY ("banned_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "direct_rooms_room_id_key" ON "direct_rooms" USING btree ("room_id");--> statement-breakpoint
CREATE INDEX "messages_room_changes_idx" ON "messages" USING btree ("room_id","seq") WHERE "messages"."kind" <> 'message';--> statement-breakpoint
CREATE INDEX "room_members_user_room_idx" ON "room_members" USING btree ("user_id","room_id");--> statement-breakpoint
CREATE UNIQUE INDEX "room_members_owner_key" ON "room_members" USING btree ("room_id") WHERE "room_members"."role" = 'owner';--> statement-breakpoint
CREATE INDEX "rooms_public_idx" ON "rooms" USING btree ("id") WHERE "rooms"."kind" = 'public';--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_kind_check" CHECK ("messages"."kind" IN ('message', 'edit', 'delete'));--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_target_check" CHECK (("messages"."kind" = 'message') = ("messages"."target_seq" IS NULL));--> statement-breakpoint
ALTER TABLE "room_members" ADD CONSTRAINT "room_members_role_check" CHECK ("room_members"."role" IN ('owner', 'moderator', 'member'));--> statement-breakpoint
ALTER TABLE "rooms" ADD CONSTRAINT "rooms_kind_check" CHECK ("rooms"."kind" IN ('public', 'private', 'direct'));--> statement-breakpoint
-- Added by hand after generation: every existing room gets its owner, its creator (a member from
-- now on even if they never joined), or, where the creator's account is gone, its oldest member.
INSERT INTO "room_members" ("room_id", "user_id", "role")
SELECT "id", "created_by", 'owner' FROM "rooms" WHERE "created_by" IS NOT NULL
ON CONFLICT ("room_id", "user_id") DO UPDATE SET "role" = 'owner';--> statement-breakpoint
UPDATE "room_members" AS m SET "role" = 'owner'
FROM (
  SELECT DISTINCT ON ("room_id") "room_id", "user_id" FROM "room_members"
  WHERE "room_id" IN (SELECT "id" FROM "rooms" WHERE "created_by" IS NULL)
  ORDER BY "room_id", "joined_at", "user_id"
) AS oldest
WHERE m."room_id" = oldest."room_id" AND m."user_id" = oldest."user_id";--> statement-breakpoint
-- Added by hand (drizzle-kit does not model triggers): when an owner's membership goes (they left,
-- or the account was deleted and the foreign key removed the row), the oldest moderator, else the
-- oldest member, becomes the owner, in the same statement. The choice is retried when the chosen
-- member leaves at the same moment (the UPDATE then finds no row): each pass sees what committed
-- before it, so the room never ends up without an owner while it has members.
CREATE FUNCTION "room_members_pass_ownership"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  LOOP
    EXIT WHEN EXISTS (SELECT 1 FROM "room_members" WHERE "room_id" = OLD."room_id" AND "role" = 'owner')
      OR NOT EXISTS (SELECT 1 FROM "room_members" WHERE "room_id" = OLD."room_id");
    UPDATE "room_members" SET "role" = 'owner'
    WHERE ("room_id", "user_id") = (
      SELECT "room_id", "user_id" FROM "room_members"
      WHERE "room_id" = OLD."room_id"
      ORDER BY "role" = 'moderator' DESC, "joined_at", "user_id"
      LIMIT 1
    );
    EXIT WHEN FOUND;
  END LOOP;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "room_members_pass_ownership" AFTER DELETE ON "room_members"
FOR EACH ROW WHEN (OLD."role" = 'owner')
EXECUTE FUNCTION "room_members_pass_ownership"();

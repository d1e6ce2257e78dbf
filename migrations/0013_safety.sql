CREATE TABLE "audit_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"actor_id" integer,
	"action" text NOT NULL,
	"target_user_id" integer,
	"report_id" bigint,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "blocks" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "blocks_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"blocker_id" integer NOT NULL,
	"blocked_id" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "blocks_not_self" CHECK ("blocks"."blocker_id" <> "blocks"."blocked_id")
);
--> statement-breakpoint
CREATE TABLE "mutes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "mutes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"muter_id" integer NOT NULL,
	"muted_id" integer NOT NULL,
	"notifications" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mutes_not_self" CHECK ("mutes"."muter_id" <> "mutes"."muted_id")
);
--> statement-breakpoint
CREATE TABLE "reports" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "reports_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"reporter_id" integer,
	"account_id" integer,
	"post_id" bigint,
	"room_id" integer,
	"message_seq" integer,
	"comment" text DEFAULT '' NOT NULL,
	"snapshot" jsonb NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"action" text,
	"note" text,
	"resolved_by" integer,
	"resolved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reports_status_check" CHECK ("reports"."status" IN ('open', 'resolved')),
	CONSTRAINT "reports_action_check" CHECK ("reports"."action" IS NULL OR "reports"."action" IN ('none', 'delete_post', 'delete_message', 'suspend')),
	CONSTRAINT "reports_message_in_room" CHECK ("reports"."message_seq" IS NULL OR "reports"."room_id" IS NOT NULL)
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "role" text DEFAULT 'user' NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "suspended_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "blocks" ADD CONSTRAINT "blocks_blocker_id_users_id_fk" FOREIGN KEY ("blocker_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "blocks" ADD CONSTRAINT "blocks_blocked_id_users_id_fk" FOREIGN KEY ("blocked_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mutes" ADD CONSTRAINT "mutes_muter_id_users_id_fk" FOREIGN KEY ("muter_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mutes" ADD CONSTRAINT "mutes_muted_id_users_id_fk" FOREIGN KEY ("muted_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_reporter_id_users_id_fk" FOREIGN KEY ("reporter_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_account_id_users_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_resolved_by_users_id_fk" FOREIGN KEY ("resolved_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "blocks_pair_key" ON "blocks" USING btree ("blocker_id","blocked_id");--> statement-breakpoint
CREATE INDEX "blocks_blocked_idx" ON "blocks" USING btree ("blocked_id","blocker_id");--> statement-breakpoint
CREATE INDEX "blocks_blocker_list_idx" ON "blocks" USING btree ("blocker_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "mutes_pair_key" ON "mutes" USING btree ("muter_id","muted_id");--> statement-breakpoint
CREATE INDEX "mutes_muter_list_idx" ON "mutes" USING btree ("muter_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "reports_status_idx" ON "reports" USING btree ("status","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "reports_open_account_idx" ON "reports" USING btree ("account_id") WHERE "reports"."status" = 'open';--> statement-breakpoint
CREATE INDEX "reports_message_idx" ON "reports" USING btree ("room_id","message_seq") WHERE "reports"."message_seq" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "reports_open_once_key" ON "reports" USING btree ("reporter_id","account_id",coalesce("post_id", 0),coalesce("room_id", 0),coalesce("message_seq", 0)) WHERE "reports"."status" = 'open';--> statement-breakpoint
CREATE INDEX "users_suspended_idx" ON "users" USING btree ("suspended_at") WHERE "users"."suspended_at" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_role_check" CHECK ("users"."role" IN ('user', 'moderator', 'admin'));--> statement-breakpoint
-- Added by hand (drizzle-kit does not model functions or triggers). A block keeps two accounts
-- apart: no follow, reply, like, repost, mention or direct room between them, whichever blocked
-- whom. The pair's lock is the two accounts' rows in `users`: a block takes them FOR UPDATE
-- (`lock_pair_for_block`, @murmur/shared/safety's pairLock) before it writes, and each of those
-- writes takes them FOR KEY SHARE (as its foreign keys do anyway) and then looks for a block. A
-- write racing a block either commits first (and the block, which waits, undoes it: it ends the
-- follows) or waits and is refused. Row locks live in the rows, not in the shared lock table, so
-- a transaction may write any number of rows. SQLSTATE MU403 becomes a 403 BLOCKED answer.
CREATE FUNCTION "lock_pair_for_block"("a" integer, "b" integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM "users" WHERE "id" IN ("a", "b") ORDER BY "id" FOR UPDATE;
END
$$;--> statement-breakpoint
CREATE FUNCTION "refuse_if_blocked"("a" integer, "b" integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF "a" IS NULL OR "b" IS NULL OR "a" = "b" THEN
    RETURN;
  END IF;
  PERFORM 1 FROM "users" WHERE "id" IN ("a", "b") ORDER BY "id" FOR KEY SHARE;
  IF EXISTS (SELECT 1 FROM "blocks" WHERE ("blocker_id" = "a" AND "blocked_id" = "b") OR ("blocker_id" = "b" AND "blocked_id" = "a")) THEN
    RAISE EXCEPTION 'one of accounts % and % blocks the other', "a", "b" USING ERRCODE = 'MU403';
  END IF;
END
$$;--> statement-breakpoint
CREATE FUNCTION "follows_refuse_if_blocked"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refuse_if_blocked(NEW."follower_id", NEW."followee_id");
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "follows_refuse_if_blocked" BEFORE INSERT ON "follows"
FOR EACH ROW EXECUTE FUNCTION "follows_refuse_if_blocked"();--> statement-breakpoint
-- A reply to someone else, or a repost: the author of the post answered or passed on.
CREATE FUNCTION "posts_refuse_if_blocked"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."repost_of_id" IS NOT NULL THEN
    PERFORM refuse_if_blocked(NEW."author_id", (SELECT "author_id" FROM "posts" WHERE "id" = NEW."repost_of_id"));
  ELSE
    PERFORM refuse_if_blocked(NEW."author_id", NEW."in_reply_to_user_id");
  END IF;
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "posts_refuse_if_blocked" BEFORE INSERT ON "posts"
FOR EACH ROW WHEN (NEW."repost_of_id" IS NOT NULL OR NEW."in_reply_to_user_id" IS NOT NULL)
EXECUTE FUNCTION "posts_refuse_if_blocked"();--> statement-breakpoint
CREATE FUNCTION "likes_refuse_if_blocked"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refuse_if_blocked(NEW."user_id", (SELECT "author_id" FROM "posts" WHERE "id" = NEW."post_id"));
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "likes_refuse_if_blocked" BEFORE INSERT ON "likes"
FOR EACH ROW EXECUTE FUNCTION "likes_refuse_if_blocked"();--> statement-breakpoint
CREATE FUNCTION "post_mentions_refuse_if_blocked"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refuse_if_blocked((SELECT "author_id" FROM "posts" WHERE "id" = NEW."post_id"), NEW."user_id");
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "post_mentions_refuse_if_blocked" BEFORE INSERT ON "post_mentions"
FOR EACH ROW EXECUTE FUNCTION "post_mentions_refuse_if_blocked"();--> statement-breakpoint
CREATE FUNCTION "direct_rooms_refuse_if_blocked"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refuse_if_blocked(NEW."user_low", NEW."user_high");
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "direct_rooms_refuse_if_blocked" BEFORE INSERT ON "direct_rooms"
FOR EACH ROW EXECUTE FUNCTION "direct_rooms_refuse_if_blocked"();

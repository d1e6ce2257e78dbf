CREATE TABLE "likes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "likes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"user_id" integer NOT NULL,
	"post_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "post_counts" (
	"post_id" bigint NOT NULL,
	"shard" smallint NOT NULL,
	"replies_count" bigint DEFAULT 0 NOT NULL,
	"likes_count" bigint DEFAULT 0 NOT NULL,
	"reposts_count" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "post_counts_post_id_shard_pk" PRIMARY KEY("post_id","shard")
);
--> statement-breakpoint
CREATE TABLE "post_edits" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "post_edits_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"post_id" bigint NOT NULL,
	"text" text NOT NULL,
	"written_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "post_mentions" (
	"post_id" bigint NOT NULL,
	"user_id" integer NOT NULL,
	"position" smallint NOT NULL,
	CONSTRAINT "post_mentions_post_id_user_id_pk" PRIMARY KEY("post_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "post_tags" (
	"post_id" bigint NOT NULL,
	"tag" text NOT NULL,
	"author_id" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"position" smallint NOT NULL,
	CONSTRAINT "post_tags_post_id_tag_pk" PRIMARY KEY("post_id","tag")
);
--> statement-breakpoint
-- Edited by hand: the rows already there show their own post.
ALTER TABLE "home_feed" ADD COLUMN "original_id" bigint;--> statement-breakpoint
UPDATE "home_feed" SET "original_id" = "post_id";--> statement-breakpoint
ALTER TABLE "home_feed" ALTER COLUMN "original_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "in_reply_to_id" bigint;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "in_reply_to_user_id" integer;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "repost_of_id" bigint;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "edited_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "display_name" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "bio" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "likes" ADD CONSTRAINT "likes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "likes" ADD CONSTRAINT "likes_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "public"."posts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "post_counts" ADD CONSTRAINT "post_counts_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "public"."posts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "post_edits" ADD CONSTRAINT "post_edits_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "public"."posts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "post_mentions" ADD CONSTRAINT "post_mentions_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "public"."posts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "post_mentions" ADD CONSTRAINT "post_mentions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "post_tags" ADD CONSTRAINT "post_tags_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "public"."posts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "post_tags" ADD CONSTRAINT "post_tags_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "likes_user_post_key" ON "likes" USING btree ("user_id","post_id");--> statement-breakpoint
CREATE INDEX "likes_post_idx" ON "likes" USING btree ("post_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "post_edits_post_idx" ON "post_edits" USING btree ("post_id","id");--> statement-breakpoint
CREATE INDEX "post_mentions_user_idx" ON "post_mentions" USING btree ("user_id","post_id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "post_tags_tag_idx" ON "post_tags" USING btree ("tag","post_id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "post_tags_created_idx" ON "post_tags" USING btree ("created_at");--> statement-breakpoint
ALTER TABLE "posts" ADD CONSTRAINT "posts_repost_of_id_posts_id_fk" FOREIGN KEY ("repost_of_id") REFERENCES "public"."posts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "home_feed_reader_original_key" ON "home_feed" USING btree ("reader_id","original_id");--> statement-breakpoint
CREATE INDEX "posts_replies_idx" ON "posts" USING btree ("in_reply_to_id","id") WHERE "posts"."in_reply_to_id" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "posts_repost_key" ON "posts" USING btree ("author_id","repost_of_id") WHERE "posts"."repost_of_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "posts_repost_of_idx" ON "posts" USING btree ("repost_of_id") WHERE "posts"."repost_of_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "users_display_name_trgm_idx" ON "users" USING gin (lower("display_name") gin_trgm_ops);--> statement-breakpoint
ALTER TABLE "posts" ADD CONSTRAINT "posts_repost_has_no_text" CHECK ("posts"."repost_of_id" IS NULL OR ("posts"."text" = '' AND "posts"."in_reply_to_id" IS NULL));--> statement-breakpoint
-- Added by hand (drizzle-kit does not model triggers): the counts of replies, reposts and likes
-- change in the statement that adds or removes the row they count, cascades of a deleted post or
-- account included, so they are exact under concurrent writes and never counted at read time.
-- Each goes to the post's row of `post_counts` for the acting account's shard (its id modulo 8),
-- so concurrent likes of one post spread over 8 rows instead of queueing on one. Adding upserts
-- the row; taking away only updates it, since a cascade may have deleted it with its post.
CREATE FUNCTION "post_counts_change"(post bigint, actor integer, replies integer, likes integer, reposts integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF replies + likes + reposts > 0 THEN
    INSERT INTO post_counts (post_id, shard, replies_count, likes_count, reposts_count)
    VALUES (post, actor % 8, replies, likes, reposts)
    ON CONFLICT (post_id, shard) DO UPDATE SET
      replies_count = post_counts.replies_count + EXCLUDED.replies_count,
      likes_count = post_counts.likes_count + EXCLUDED.likes_count,
      reposts_count = post_counts.reposts_count + EXCLUDED.reposts_count;
  ELSE
    UPDATE post_counts SET
      replies_count = replies_count + replies, likes_count = likes_count + likes, reposts_count = reposts_count + reposts
    WHERE post_id = post AND shard = actor % 8;
  END IF;
END $$;--> statement-breakpoint
CREATE FUNCTION "posts_count_replies_and_reposts"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  row_ posts;
  step integer;
BEGIN
  IF TG_OP = 'INSERT' THEN row_ := NEW; step := 1; ELSE row_ := OLD; step := -1; END IF;
  IF row_.in_reply_to_id IS NOT NULL THEN
    PERFORM post_counts_change(row_.in_reply_to_id, row_.author_id, step, 0, 0);
  END IF;
  IF row_.repost_of_id IS NOT NULL THEN
    PERFORM post_counts_change(row_.repost_of_id, row_.author_id, 0, 0, step);
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "posts_count_replies_and_reposts_insert" AFTER INSERT ON "posts"
FOR EACH ROW WHEN (NEW.in_reply_to_id IS NOT NULL OR NEW.repost_of_id IS NOT NULL)
EXECUTE FUNCTION "posts_count_replies_and_reposts"();--> statement-breakpoint
CREATE TRIGGER "posts_count_replies_and_reposts_delete" AFTER DELETE ON "posts"
FOR EACH ROW WHEN (OLD.in_reply_to_id IS NOT NULL OR OLD.repost_of_id IS NOT NULL)
EXECUTE FUNCTION "posts_count_replies_and_reposts"();--> statement-breakpoint
CREATE FUNCTION "likes_count"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM post_counts_change(NEW.post_id, NEW.user_id, 0, 1, 0);
  ELSE
    PERFORM post_counts_change(OLD.post_id, OLD.user_id, 0, -1, 0);
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "likes_count" AFTER INSERT OR DELETE ON "likes"
FOR EACH ROW EXECUTE FUNCTION "likes_count"();

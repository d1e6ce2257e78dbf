CREATE TABLE "home_feed" (
	"reader_id" integer NOT NULL,
	"author_id" integer NOT NULL,
	"post_id" bigint NOT NULL,
	CONSTRAINT "home_feed_reader_id_post_id_pk" PRIMARY KEY("reader_id","post_id")
);
--> statement-breakpoint
CREATE INDEX "home_feed_author_reader_idx" ON "home_feed" USING btree ("author_id","reader_id");--> statement-breakpoint
-- Existing timelines carry over: every author's own posts, and the 400 newest posts of each
-- followed account (what a new follow brings in, TIMELINE_BACKFILL_POSTS's default).
INSERT INTO "home_feed" ("reader_id", "author_id", "post_id")
SELECT "author_id", "author_id", "id" FROM "posts"
UNION ALL
SELECT f."follower_id", recent."author_id", recent."id"
FROM "follows" f
CROSS JOIN LATERAL (
	SELECT "id", "author_id" FROM "posts" WHERE "author_id" = f."followee_id" ORDER BY "id" DESC LIMIT 400
) recent;

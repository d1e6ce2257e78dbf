-- Added by hand (drizzle-kit does not model extensions or text search configurations): search
-- matches words regardless of case and accents, in any language. `murmur_search` is `simple`
-- (lower case, no stemming and no stop words, so no language is favoured) with accents removed
-- first; a configuration named in the call makes to_tsvector immutable, so it can be indexed.
-- pg_trgm indexes the trigrams of usernames for matches inside a name. Both extensions are
-- trusted: the database's owner may create them.
CREATE EXTENSION IF NOT EXISTS "pg_trgm";--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS "unaccent";--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION "murmur_search" (COPY = pg_catalog.simple);--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION "murmur_search" ALTER MAPPING FOR hword, hword_part, word WITH "unaccent", pg_catalog.simple;--> statement-breakpoint
CREATE INDEX "messages_text_search_idx" ON "messages" USING gin (to_tsvector('murmur_search', "text"));--> statement-breakpoint
CREATE INDEX "posts_text_search_idx" ON "posts" USING gin (to_tsvector('murmur_search', "text"));--> statement-breakpoint
CREATE INDEX "users_username_prefix_idx" ON "users" USING btree (lower("username") COLLATE "C");--> statement-breakpoint
CREATE INDEX "users_username_trgm_idx" ON "users" USING gin (lower("username") gin_trgm_ops);
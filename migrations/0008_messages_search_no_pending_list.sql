-- Every stored chat message writes its words into messages_text_search_idx. With GIN's pending
-- list (fastupdate, the default) those words are queued and merged in bulk, and the insert that
-- fills the list pays for the whole merge: the message batch it belongs to waits, and delivery
-- p99 with it. Without it each batch adds its own words, a steady cost instead of a spike.
ALTER INDEX "messages_text_search_idx" SET (fastupdate = off);

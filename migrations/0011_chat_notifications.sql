ALTER TABLE "notifications" DROP CONSTRAINT "notifications_type_check";--> statement-breakpoint
DROP INDEX "notifications_once_key";--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "room_id" integer;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "message_seq" bigint;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_room_id_rooms_id_fk" FOREIGN KEY ("room_id") REFERENCES "public"."rooms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "notifications_once_key" ON "notifications" USING btree ("recipient_id","type","account_id",coalesce("post_id", 0),coalesce("room_id", 0),coalesce("message_seq", 0));--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_type_check" CHECK ("notifications"."type" IN ('follow', 'mention', 'reply', 'like', 'repost', 'room_invite', 'room_mention', 'direct_message'));
/**
 * What a report is about: an account, one of its posts, or one of its chat messages; and the
 * words its dialog uses for it. The server checks that the post or message is the account's.
 */
import { MAX_REPORT_COMMENT_CHARACTERS, type NewReport } from '../api/types.js';
import { characters } from './characters.js';

export type ReportSubject = Omit<NewReport, 'comment'>;

export const accountReport = (account: { id: number }): ReportSubject => ({ accountId: account.id });

export const postReport = (post: { id: number; author: { id: number } }): ReportSubject => ({ accountId: post.author.id, postId: post.id });

export const messageReport = (message: { roomId: number; seq: number }, author: { id: number }): ReportSubject => ({
  accountId: author.id,
  roomId: message.roomId,
  messageSeq: message.seq,
});

/** The body of `POST /reports`: the comment trimmed, and left out when there is none. */
export function reportBody(subject: ReportSubject, comment: string): NewReport {
  const text = comment.trim();
  return text ? { ...subject, comment: text } : { ...subject };
}

/** Whether the comment is one the server takes. */
export const commentFits = (comment: string): boolean => characters(comment.trim()) <= MAX_REPORT_COMMENT_CHARACTERS;

/** The dialog's title, and what it says the moderators will see. */
export function reportWording(subject: ReportSubject, username: string): { title: string; seen: string } {
  if (subject.postId !== undefined) return { title: `Report ${username}’s post`, seen: 'this post as it is now' };
  if (subject.messageSeq !== undefined) return { title: `Report ${username}’s message`, seen: 'this message as it is now' };
  return { title: `Report ${username}`, seen: 'this account' };
}

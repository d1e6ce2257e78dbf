/**
 * The inputs and answers of reports and the moderators' routes, as zod schemas: the routes
 * validate requests with them, and the OpenAPI document describes the API from them.
 */
import { z } from 'zod';
import { schema } from '@murmur/shared/db';
import { MAX_BIGINT_ID, MAX_INTEGER_ID, bigintId, jsonIdSchema, numericPageQuery, withoutNul } from '@murmur/shared/http';
import { mediaAttachmentSchema } from '@murmur/shared/media';
import { userSummarySchema } from '../routes/user.schemas.js';
import { AUDIT_ACTIONS } from './audit.repo.js';

export const MAX_REPORT_COMMENT_CHARACTERS = 1000;
export const MAX_MODERATOR_NOTE_CHARACTERS = 1000;

/** Characters as a person counts them: Unicode code points. */
const characters = (text: string) => [...text].length;

/** Free text of at most `max` characters, trimmed, without NUL; empty when absent. */
const freeText = (max: number, what: string) =>
  z
    .string({ error: 'must be a string' })
    .trim()
    .refine(...withoutNul)
    .refine((t) => characters(t) <= max, `must be at most ${max} characters`)
    .default('')
    .describe(`${what}, at most ${max} characters`);

const moderatorNote = freeText(MAX_MODERATOR_NOTE_CHARACTERS, 'why, for the other moderators and the audit log');

export const reportBody = z
  .object({
    accountId: jsonIdSchema(MAX_INTEGER_ID).describe('the account reported: the author of the post or message, if one is named'),
    postId: jsonIdSchema(MAX_BIGINT_ID).optional().describe('a post of that account'),
    roomId: jsonIdSchema(MAX_INTEGER_ID).optional().describe('the room of the message reported; only with messageSeq'),
    messageSeq: jsonIdSchema(MAX_INTEGER_ID).optional().describe('the seq of a message of that account in room roomId'),
    comment: freeText(MAX_REPORT_COMMENT_CHARACTERS, 'what the moderators should know'),
  })
  .refine((r) => r.messageSeq === undefined || r.roomId !== undefined, { path: ['roomId'], message: 'is required with messageSeq' })
  .refine((r) => r.roomId === undefined || r.messageSeq !== undefined, { path: ['messageSeq'], message: 'is required with roomId' })
  .refine((r) => r.postId === undefined || r.roomId === undefined, { path: ['postId'], message: 'a report names a post or a message, not both' });

export type ReportInput = z.output<typeof reportBody>;

export const reportCreatedSchema = z.object({ id: z.number().int().describe('the report; the same id while it is open, however often it is sent') });

/** An account as the moderators see it. */
export const moderatedAccountSchema = userSummarySchema
  .extend({
    role: z.enum(schema.ACCOUNT_ROLES),
    suspended: z.boolean(),
    suspendedAt: z.iso.datetime().nullable().describe('when the account was suspended; null when it is not'),
  })
  .meta({ id: 'ModeratedAccount' });

export const moderatedAccountResponse = z.object({ account: moderatedAccountSchema });

export const reportSchema = z
  .object({
    id: z.number().int(),
    status: z.enum(schema.REPORT_STATUSES),
    createdAt: z.iso.datetime(),
    comment: z.string(),
    reporter: userSummarySchema.nullable().describe('null once the reporter’s account is deleted'),
    account: moderatedAccountSchema.nullable().describe('the account reported, as it is now; null once deleted'),
    post: z
      .object({ id: z.number().int(), text: z.string(), createdAt: z.iso.datetime(), media: z.array(mediaAttachmentSchema) })
      .nullable()
      .describe('the post reported, as it was when reported (an edit or deletion since does not change it)'),
    message: z
      .object({
        roomId: z.number().int(),
        roomName: z.string(),
        seq: z.number().int(),
        text: z.string(),
        createdAt: z.iso.datetime(),
        media: z.array(mediaAttachmentSchema),
      })
      .nullable()
      .describe('the chat message reported, as it was when reported'),
    resolution: z
      .object({
        action: z.enum(schema.REPORT_ACTIONS),
        note: z.string(),
        moderator: userSummarySchema.nullable().describe('null once the moderator’s account is deleted'),
        resolvedAt: z.iso.datetime(),
      })
      .nullable()
      .describe('null while the report is open'),
  })
  .meta({ id: 'Report' });

export const reportsQuery = numericPageQuery.extend({
  status: z.enum(schema.REPORT_STATUSES).default('open').describe('`open` (the default) or `resolved`'),
});

export const reportIdParams = z.object({ id: bigintId });

export const resolveBody = z.object({
  action: z.enum(schema.REPORT_ACTIONS, { error: `must be one of ${schema.REPORT_ACTIONS.join(', ')}` }).describe(
    '`none`; `delete_post` and `delete_message` delete what was reported; `suspend` suspends the account reported',
  ),
  note: moderatorNote,
});

/** The optional body of a suspension or its lifting. */
export const suspensionBody = z
  .object({ note: moderatorNote })
  .default({ note: '' });

/** `true` or `false`, as a query string says it. */
const booleanFlag = z.enum(['true', 'false']).transform((flag) => flag === 'true');

export const accountsQuery = numericPageQuery.extend({
  suspended: booleanFlag.optional().describe('`true`: the suspended accounts alone; `false`: the others; absent: every account'),
  role: z.enum(schema.ACCOUNT_ROLES).optional().describe('only the accounts of this role'),
});

export const roleBody = z.object({ role: z.enum(schema.ACCOUNT_ROLES, { error: `must be one of ${schema.ACCOUNT_ROLES.join(', ')}` }) });

export const auditEntrySchema = z
  .object({
    id: z.number().int(),
    actor: userSummarySchema.nullable().describe('who acted; null for the command line, or once their account is deleted'),
    action: z.enum(AUDIT_ACTIONS),
    targetUserId: z.number().int().nullable().describe('the account acted on'),
    reportId: z.number().int().nullable().describe('the report the action resolved'),
    details: z.record(z.string(), z.unknown()).describe('what else the action recorded: the note, the role set, the post or message deleted'),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'AuditEntry' });

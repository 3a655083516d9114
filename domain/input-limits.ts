/**
 * Sizes the product accepts for text a person or a node types (docs/decisions.md "Input size limits").
 * Pure: the workflow's update validators, the CLI and the nodes share them.
 */
export const INPUT_LIMITS = {
  /** Who acts (a name, an e-mail, an n8n workflow's name and id). */
  actor: 200,
  /** Why a sending is rejected, cancelled or paused. */
  reason: 1_000,
  /** An approver's comment. */
  comment: 1_000,
  /** The message template: 10 SMS parts of 160 characters are 1,600; room for the personalization fields. */
  message: 5_000,
  /** A sender id: an E.164 number (16 characters) or an alphanumeric id (11). */
  senderId: 32,
  /** A project id or a group name. */
  name: 200,
  /** Groups in one selection. */
  groups: 200,
  /** A schedule's local date-time and time zone. */
  scheduleField: 64,
} as const;

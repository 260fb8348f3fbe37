-- CreateEnum
CREATE TYPE "GroupOutcome" AS ENUM ('met', 'cancelled', 'not_yet', 'no_answer');

-- AlterTable
ALTER TABLE "Group" ADD COLUMN     "askedAt" TIMESTAMP(3),
ADD COLUMN     "outcome" "GroupOutcome" NOT NULL DEFAULT 'no_answer';

-- Backfill: when each group was asked, and what its answers add up to (core/outcomes.ts groupOutcome: one "met"
-- settles it, then a cancellation, then "not yet").
UPDATE "Group" g SET "askedAt" = f."sentAt"
FROM (SELECT "groupId", min("sentAt") AS "sentAt" FROM "Delivery" WHERE kind = 'followup' AND state = 'sent' GROUP BY "groupId") f
WHERE f."groupId" = g.id;

UPDATE "Group" g SET outcome = CASE WHEN a.met THEN 'met' WHEN a.cancelled THEN 'cancelled' WHEN a.not_yet THEN 'not_yet' ELSE 'no_answer' END::"GroupOutcome"
FROM (SELECT "groupId", bool_or(answer = 'met') AS met, bool_or(answer = 'cancelled') AS cancelled, bool_or(answer = 'not_yet') AS not_yet FROM "Outcome" GROUP BY "groupId") a
WHERE a."groupId" = g.id;

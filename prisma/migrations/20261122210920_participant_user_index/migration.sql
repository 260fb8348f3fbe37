-- DropIndex
DROP INDEX "Participant_userId_idx";

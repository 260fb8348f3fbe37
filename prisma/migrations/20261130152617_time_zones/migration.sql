-- AlterTable
ALTER TABLE "Group" ADD COLUMN     "meetingWindow" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "Program" ADD COLUMN     "timezones" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "workingHours" TEXT NOT NULL DEFAULT '9-17';

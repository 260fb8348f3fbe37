-- AlterTable
ALTER TABLE "GroupMember" ADD COLUMN     "fullName" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "position" TEXT NOT NULL DEFAULT '';

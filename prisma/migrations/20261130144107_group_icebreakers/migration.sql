-- AlterTable: the one starter an intro had becomes a list; groups made before keep theirs.
ALTER TABLE "Group" ADD COLUMN     "icebreakers" TEXT[];
UPDATE "Group" SET "icebreakers" = ARRAY["icebreaker"];
ALTER TABLE "Group" DROP COLUMN "icebreaker";

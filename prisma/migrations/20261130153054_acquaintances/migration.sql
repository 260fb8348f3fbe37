-- CreateTable
CREATE TABLE "Acquaintance" (
    "programId" INTEGER NOT NULL,
    "participantAId" INTEGER NOT NULL,
    "participantBId" INTEGER NOT NULL,
    "groupId" INTEGER,
    "recordedById" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Acquaintance_pkey" PRIMARY KEY ("programId","participantAId","participantBId")
);

-- CreateIndex
CREATE INDEX "Acquaintance_groupId_idx" ON "Acquaintance"("groupId");

-- AddForeignKey
ALTER TABLE "Acquaintance" ADD CONSTRAINT "Acquaintance_programId_fkey" FOREIGN KEY ("programId") REFERENCES "Program"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Acquaintance" ADD CONSTRAINT "Acquaintance_participantAId_fkey" FOREIGN KEY ("participantAId") REFERENCES "Participant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Acquaintance" ADD CONSTRAINT "Acquaintance_participantBId_fkey" FOREIGN KEY ("participantBId") REFERENCES "Participant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Acquaintance" ADD CONSTRAINT "Acquaintance_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "Group"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- The two most frequent slash commands, /coffee join and /coffee status, as functions.
--
-- PL/pgSQL keeps the plans of the statements inside a function for the life of the connection, so Postgres plans
-- them once per connection instead of on every command (planning these statements costs more than running them,
-- three times more on the embedded database). The functions only read and write rows: what the answers mean is
-- decided in src/commands/participation.ts. Prisma's schema does not describe functions (they live here only),
-- and the store (src/store/participation.ts) is their one caller.

-- Inserts the caller as a new active participant of the channel's program, unless they already have a row.
-- One row: the program and the inserted participant (null when they already had a row), no row when the channel
-- has no program yet.
CREATE FUNCTION coffee_join_new (p_channel_id text, p_user_id text, p_username text, p_now timestamp(3))
RETURNS TABLE (program jsonb, participant jsonb)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH pr AS (SELECT * FROM "Program" WHERE "channelId" = p_channel_id),
  ins AS (INSERT INTO "Participant" ("programId", "userId", "username", "status", "lastSeenAt", "joinedAt", "updatedAt")
          SELECT id, p_user_id, p_username, 'active', p_now, p_now, p_now FROM pr
          ON CONFLICT ("programId", "userId") DO NOTHING
          RETURNING *)
  SELECT to_jsonb(pr), (SELECT to_jsonb(ins) FROM ins) FROM pr;
END
$$;

-- Everything /coffee status shows: the program, the caller's row, the latest round and the usernames of the
-- caller's group in it. Records the visit (lastSeenAt) when the last one is older than p_seen_before.
-- No row when the channel has no program.
CREATE FUNCTION coffee_status (p_channel_id text, p_user_id text, p_now timestamp(3), p_seen_before timestamp(3))
RETURNS TABLE (program jsonb, participant jsonb, round jsonb, members text[])
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH pr AS (SELECT * FROM "Program" WHERE "channelId" = p_channel_id),
  pa AS (SELECT * FROM "Participant" WHERE "programId" = (SELECT id FROM pr) AND "userId" = p_user_id),
  seen AS (UPDATE "Participant" SET "lastSeenAt" = p_now
           WHERE id = (SELECT id FROM pa) AND ("lastSeenAt" IS NULL OR "lastSeenAt" < p_seen_before)
           RETURNING id),
  r AS (SELECT id, number, "startedAt" FROM "Round" WHERE "programId" = (SELECT id FROM pr) ORDER BY number DESC LIMIT 1)
  SELECT to_jsonb(pr),
         (SELECT to_jsonb(pa) FROM pa),
         (SELECT to_jsonb(r) FROM r),
         (SELECT array_agg(p2.username ORDER BY p2.username)
            FROM "Group" g
            JOIN "GroupMember" mine ON mine."groupId" = g.id AND mine."participantId" = (SELECT id FROM pa)
            JOIN "GroupMember" gm ON gm."groupId" = g.id
            JOIN "Participant" p2 ON p2.id = gm."participantId"
           WHERE g."roundId" = (SELECT id FROM r))
  FROM pr;
END
$$;

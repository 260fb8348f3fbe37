-- /coffee join and /coffee status go through ordinary Prisma queries again, which the type checker and the schema
-- drift test can see; the PL/pgSQL functions that kept their plans per connection are no longer called.
DROP FUNCTION IF EXISTS coffee_join_new(text, text, text, timestamp(3));
DROP FUNCTION IF EXISTS coffee_status(text, text, timestamp(3), timestamp(3));

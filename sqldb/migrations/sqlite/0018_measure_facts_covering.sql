-- On PostgreSQL this migration makes the facts' primary key carry their figures. SQLite's
-- measure_facts is already a WITHOUT ROWID table, kept in its primary key's order with the
-- figures beside the key, so there is nothing to do.
SELECT 1;

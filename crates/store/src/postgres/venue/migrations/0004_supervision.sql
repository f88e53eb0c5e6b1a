-- Jauge schema v4: supervision of sources. Each batch keeps the shape of the file it came from,
-- and the changes of shape a person accepted.

ALTER TABLE import_batch ADD COLUMN shape TEXT COLLATE "C";
ALTER TABLE import_batch ADD COLUMN drift_accepted TEXT COLLATE "C";

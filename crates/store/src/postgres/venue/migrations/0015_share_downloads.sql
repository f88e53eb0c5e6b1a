-- Jauge schema v15: where an extract's files are, and the hash of the token its recipient
-- downloads them with (the token itself is given once, never kept).
ALTER TABLE data_share ADD COLUMN directory TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE data_share ADD COLUMN download_hash TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX data_share_by_download ON data_share (download_hash);

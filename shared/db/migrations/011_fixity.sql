-- The fixity check of stored documents (package fixity): the weekly run
-- rereads a share of the objects the documents bucket holds and compares
-- their SHA-256 and size with these tables'; it also lists the objects
-- nothing references any more.

-- The check and the orphan listing look request files up by content, as
-- they do versions (document_version_sha256): without it each batch of
-- either would read every request file.
CREATE INDEX request_file_sha256 ON request_file (institution_id, sha256);

-- Objects of the documents bucket that no version or request file
-- referenced when the orphan listing last looked, since when. S3 listings
-- do not say when an object stopped being referenced (an upload that was
-- never attached, a rolled-back registration), so the grace period before
-- an object counts as an orphan runs from the first listing that found it
-- unreferenced. A row goes when its object is referenced again or gone.
-- Keys compare bytewise (COLLATE "C"), the order S3 lists them in.
CREATE TABLE fixity_orphan (
  object_key    text COLLATE "C" PRIMARY KEY,
  first_seen_at timestamptz NOT NULL
);
-- Platform jobs only: keys name institutions and content, and no
-- institution acts on them.
ALTER TABLE fixity_orphan ENABLE ROW LEVEL SECURITY;
ALTER TABLE fixity_orphan FORCE ROW LEVEL SECURITY;
CREATE POLICY fixity_orphan_platform ON fixity_orphan FOR ALL USING (platform_scope()) WITH CHECK (platform_scope());
GRANT SELECT, INSERT, DELETE ON fixity_orphan TO ghiseu_app;

---- create above / drop below ----

DROP TABLE fixity_orphan;
DROP INDEX request_file_sha256;

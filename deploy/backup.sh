#!/bin/sh
# Back up the database and the media folders into BACKUP_DIR, then delete
# backups older than BACKUP_RETENTION_DAYS.
#
#   DATABASE_URL=postgres://user:pass@host:5432/name MEDIA_ROOT=/data/media \
#   PRIVATE_MEDIA_ROOT=/data/private BACKUP_DIR=/backups deploy/backup.sh
#
# Writes, under one time stamp: directory-STAMP.dump (pg_dump's custom
# format), directory-STAMP-media.tar.gz (profile photos) and
# directory-STAMP-private.tar.gz (evidence documents: keep backups as private
# as the server itself). Leave PRIVATE_MEDIA_ROOT unset where one folder holds
# both (MinIO's data folder in the compose stack): MEDIA_ROOT's archive then
# holds everything. The database is dumped first: a file uploaded while
# the archives are made is then at worst an orphan after a restore
# (`manage.py cleanup_orphan_files`).
set -eu
: "${DATABASE_URL:?set DATABASE_URL}"
: "${MEDIA_ROOT:?set MEDIA_ROOT}"
PRIVATE_MEDIA_ROOT="${PRIVATE_MEDIA_ROOT:-}"
: "${BACKUP_DIR:?set BACKUP_DIR}"
RETENTION_DAYS="${BACKUP_RETENTION_DAYS:-14}"

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$BACKUP_DIR" "$MEDIA_ROOT"
umask 077
# Written under a temporary name and renamed when complete: a backup that
# failed half-way never looks like a good one.
pg_dump --format=custom --no-owner --file "$BACKUP_DIR/.directory-$STAMP.dump" "$DATABASE_URL"
tar -czf "$BACKUP_DIR/.directory-$STAMP-media.tar.gz" -C "$MEDIA_ROOT" .
parts=".dump -media.tar.gz"
if [ -n "$PRIVATE_MEDIA_ROOT" ]; then
  mkdir -p "$PRIVATE_MEDIA_ROOT"
  tar -czf "$BACKUP_DIR/.directory-$STAMP-private.tar.gz" -C "$PRIVATE_MEDIA_ROOT" .
  parts="$parts -private.tar.gz"
fi
for part in $parts; do
  mv "$BACKUP_DIR/.directory-$STAMP$part" "$BACKUP_DIR/directory-$STAMP$part"
done
find "$BACKUP_DIR" -maxdepth 1 -name 'directory-*' -type f -mtime "+$RETENTION_DAYS" -delete
echo "Backup directory-$STAMP written to $BACKUP_DIR."

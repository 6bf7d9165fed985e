#!/bin/sh
# Restore a backup made by deploy/backup.sh, then rebuild what the app derives.
#
#   DATABASE_URL=… MEDIA_ROOT=… PRIVATE_MEDIA_ROOT=… deploy/restore.sh /backups/directory-STAMP
#
# PRIVATE_MEDIA_ROOT stays unset when the backup was made without it (one
# folder for all files, such as MinIO's data folder in the compose stack).
# Stop the web and worker processes first. The database must exist (empty,
# or holding the data to replace: every object in the dump is dropped and
# recreated). The media folders' files are replaced by the archives'. Ends
# with `manage.py refresh_listings`, which recomputes the listing data and
# starts a new search edition, so no page cached before is shown again.
# PYTHON names the app's Python (default: python); PYTHON=none restores the
# data only and prints the two app commands to run next.
set -eu
: "${DATABASE_URL:?set DATABASE_URL}"
: "${MEDIA_ROOT:?set MEDIA_ROOT}"
PRIVATE_MEDIA_ROOT="${PRIVATE_MEDIA_ROOT:-}"
BACKUP="${1:?give the backup, e.g. /backups/directory-20261205T030000Z}"
PYTHON="${PYTHON:-python}"

pg_restore --clean --if-exists --no-owner --exit-on-error --dbname "$DATABASE_URL" "$BACKUP.dump"
pairs="$MEDIA_ROOT:$BACKUP-media.tar.gz"
if [ -n "$PRIVATE_MEDIA_ROOT" ]; then
  pairs="$pairs $PRIVATE_MEDIA_ROOT:$BACKUP-private.tar.gz"
fi
for pair in $pairs; do
  folder="${pair%%:*}"
  archive="${pair#*:}"
  mkdir -p "$folder"
  find "$folder" -mindepth 1 -delete
  tar -xzf "$archive" -C "$folder"
done
if [ "$PYTHON" = none ]; then
  # Where this runs without the app (the compose backup image): run these next, in the app.
  echo "Restored $BACKUP. Now run: python manage.py migrate --noinput && python manage.py refresh_listings"
  exit 0
fi
"$PYTHON" manage.py migrate --noinput
"$PYTHON" manage.py refresh_listings
echo "Restored $BACKUP."

#!/bin/bash
# One dump of the IAM database, run by the backup CronJob of the iam-db component.
# Reads IAM_DB_HOST, IAM_DB_NAME, IAM_DB_USERNAME and IAM_DB_PASSWORD (the iam-envs Secret).
# The dump lands in BACKUP_DIR as <database>_<host>_<YYYY.MM.DD-HH.MM.SS>; a failed dump leaves
# no file behind and makes the Job fail. With BACKUP_KEEP > 0 only the newest dumps are kept.
set -euo pipefail

dir="${BACKUP_DIR:-/mnt/special-data/panda_jobs/backup}"
keep="${BACKUP_KEEP:-0}"
name="${IAM_DB_NAME}_${IAM_DB_HOST}_$(date '+%Y.%m.%d-%H.%M.%S')"
mkdir -p "$dir"

dump="$(command -v mariadb-dump || command -v mysqldump)"
partial="$dir/.${name}.partial"
trap 'rm -f "$partial"' EXIT
# the password goes through the environment, not the command line (visible in ps)
MYSQL_PWD="$IAM_DB_PASSWORD" "$dump" --single-transaction \
  -h "$IAM_DB_HOST" -u "$IAM_DB_USERNAME" --databases "$IAM_DB_NAME" > "$partial"
mv "$partial" "$dir/$name"
echo "backup written: $dir/$name ($(stat -c %s "$dir/$name") bytes)"

if [ "$keep" -gt 0 ]; then
  ls -1t "$dir" | grep -F "${IAM_DB_NAME}_${IAM_DB_HOST}_" | tail -n +"$((keep + 1))" | while read -r old; do
    rm -f -- "$dir/$old" && echo "removed old backup: $old"
  done
fi

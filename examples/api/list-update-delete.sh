#!/usr/bin/env bash
# examples/api/list-update-delete.sh: list monitors, read one, pause it, delete it.
# Usage: TOKEN=mm_... [BASE=http://127.0.0.1:8080] examples/api/list-update-delete.sh [PUBLIC_ID]
# Without PUBLIC_ID it uses the first monitor whose name, hostname or customer name contains
# "mailbox" (the one create-monitor.sh makes). The last step DELETES that monitor.
set -euo pipefail

BASE=${BASE:-http://127.0.0.1:8080}
: "${TOKEN:?set TOKEN to a mailmon API token (see examples/api/README.md)}"

response=$(mktemp)
trap 'rm -f "$response"' EXIT

# api METHOD PATH [JSON]: print the request, the status and the body; stop unless 2xx.
api() {
  local method=$1 path=$2 data=${3-} status
  local args=(-sS -o "$response" -w '%{http_code}' -X "$method" "$BASE$path"
              -H "Authorization: Bearer $TOKEN")
  if [[ -n $data ]]; then
    args+=(-H "Content-Type: application/json" -d "$data")
  fi
  : >"$response"
  status=$(curl "${args[@]}")
  echo "$method $path -> HTTP $status"
  if [[ -s $response ]]; then
    cat "$response"
    echo
  fi
  echo
  if [[ $status != 2* ]]; then
    exit 1
  fi
}

# 1. List: a case-insensitive search over monitor name, hostname and customer name; one page.
api GET "/api/imap-pop-monitors?search=mailbox&page=1&perPage=20"

public_id=${1-}
if [[ -z $public_id ]]; then
  # List items carry no nested customer, so the first publicId is the first monitor's.
  public_id=$(grep -oE '"publicId"[[:space:]]*:[[:space:]]*"[0-9a-fA-F-]{36}"' "$response" \
    | head -n 1 | grep -oE '[0-9a-fA-F-]{36}' || true)
  if [[ -z $public_id ]]; then
    echo "No monitor matches 'mailbox'; run create-monitor.sh first or pass a publicId." >&2
    exit 1
  fi
fi

# 2. One monitor, with its customer.
api GET "/api/imap-pop-monitors/$public_id"

# 3. Pause it: "paused" is stored, and returned, as "disabled".
api PATCH "/api/imap-pop-monitors/$public_id" '{ "status": "paused" }'

# 4. Delete it with its history: 204, no body.
api DELETE "/api/imap-pop-monitors/$public_id"

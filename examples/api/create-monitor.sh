#!/usr/bin/env bash
# examples/api/create-monitor.sh: create the example customer, then the Uptimeify example monitor.
# Usage: TOKEN=mm_... [BASE=http://127.0.0.1:8080] examples/api/create-monitor.sh
# TOKEN must be a member or admin token without a customer scope (see README.md).
set -euo pipefail

BASE=${BASE:-http://127.0.0.1:8080}
: "${TOKEN:?set TOKEN to a mailmon API token (see examples/api/README.md)}"

# 1. The customer the example refers to. A 409 means it exists already: fine, continue.
response=$(mktemp)
trap 'rm -f "$response"' EXIT

status=$(curl -sS -o "$response" -w '%{http_code}' -X POST "$BASE/api/customers" \
  -H "Authorization: Bearer $TOKEN" \
  -H "Content-Type: application/json" \
  -d '{
    "publicId": "11111111-1111-4111-8111-111111111111",
    "name": "Example Customer",
    "email": "ops@example.com"
  }')

case "$status" in
  201)
    echo "Customer created:"
    cat "$response"
    echo
    ;;
  409)
    echo "Customer 11111111-1111-4111-8111-111111111111 exists already; continuing."
    ;;
  *)
    echo "Creating the customer failed with HTTP $status:" >&2
    cat "$response" >&2
    echo >&2
    exit 1
    ;;
esac

# 2. The monitor: the Uptimeify example call, unchanged except for the base URL.
echo "Monitor:"
curl -X POST "$BASE/api/imap-pop-monitors" \
  -H "Authorization: Bearer $TOKEN" \
  -H "Content-Type: application/json" \
  -d '{
    "customerId": "11111111-1111-4111-8111-111111111111",
    "name": "Mailbox Access",
    "hostname": "mail.example.com",
    "port": 993,
    "status": "active",
    "checkInterval": 30,
    "timeoutSeconds": 30,
    "imapPopConfig": { "protocol": "imap", "user": "monitor@example.com", "password": "password", "tls": true }
  }'
echo

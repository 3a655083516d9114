# Source this file: the settings of the local stack (`npm start`, `npm run demo`) with their defaults,
# exported so the worker, the demo helpers and the CLI all see the same ones (docs/configuration.md).
export DURABLE_SMS_DATA="${DURABLE_SMS_DATA:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.data}"
export DIRECTORY_SQLITE_PATH="${DIRECTORY_SQLITE_PATH:-$DURABLE_SMS_DATA/directory.sqlite}"
export TEMPORAL_PORT="${TEMPORAL_PORT:-7233}" TEMPORAL_UI_PORT="${TEMPORAL_UI_PORT:-8233}" TEMPORAL_HTTP_PORT="${TEMPORAL_HTTP_PORT:-7243}"
export TEMPORAL_ADDRESS="${TEMPORAL_ADDRESS:-127.0.0.1:$TEMPORAL_PORT}"
export N8N_PORT="${N8N_PORT:-5678}"
export N8N_RUNNERS_BROKER_PORT="${N8N_RUNNERS_BROKER_PORT:-$((N8N_PORT + 1))}"
export N8N_USER_FOLDER="${N8N_USER_FOLDER:-$DURABLE_SMS_DATA/n8n}"
export DEMO_INBOX_PORT="${DEMO_INBOX_PORT:-5690}"

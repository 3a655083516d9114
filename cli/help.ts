/** `npm run sms -- help`: each command's line is its usage in cli/commands.ts (test/cli/cli-arguments.test.ts checks it). */
export const HELP = `durable-sms — operate SMS sendings (Temporal settings and the directory come from the worker's environment variables)

Directory (opened directly, like the worker):
  project --id ID [--name NAME] [--number-field mobile] [--country CA] [--time-zone America/Toronto] [--sender-id ACME] [--sms-enabled true|false] [--compliance JSON|@FILE.json]
                                       validation policy, price, countries, quiet hours, approvals (docs/compliance.md)
  projects
  groups --project ID
  import --project ID FILE.csv [--encoding utf-8|windows-1252|latin1|utf-16le]
                                       columns: id, active, groups ("a;b"), any profile field; all rows or none (docs/bad-input.md)
  opt-out --project ID NUMBER          add a number to the SMS kill list
  opt-outs --project ID [--source PREFIX] [--full-numbers]
                                       the kill list with who added each entry (e.g. --source quarantine: for quarantines); numbers masked
  remove-opt-out --project ID NUMBER   take a number off the kill list, whatever added it (a quarantine, a receipt, an operator)
  audit ID
  outbox ID [--csv [--full-numbers]]   messages recorded by the outbox provider; --csv: as a CSV file, numbers masked
  report ID [--csv [--full-numbers]]   recipients per state and delivery outcome (receipts); --csv: one row per recipient

Sendings (through Temporal):
  create --project ID [--groups a,b] [--per-number] [--parallel-batches N]
                                       prints the new sending id; --parallel-batches: its batches in flight at once (1-16, default 1)
  count ID
  prepare ID --message TEXT [--sender-id X] [--at YYYY-MM-DDTHH:mm [--time-zone ZONE] [--refresh] [--allow-beyond-one-year]]
                                       a send time more than a year ahead needs --allow-beyond-one-year
  request-approval ID
  approve ID [--comment TEXT] [--hash HASH]   --hash: the approval hash you reviewed (status shows it)
  reject ID --reason TEXT
  send ID [--watch]
  reschedule ID (--now | --at YYYY-MM-DDTHH:mm [--time-zone ZONE] [--allow-beyond-one-year])
  cancel ID --reason TEXT              answers once nothing is in flight any more
  pause ID --reason TEXT               stops starting messages; answers once nothing is in flight
  resume ID
  retry ID [--failed] [--unknown --confirm-possible-duplicates]
                                       sends failed and/or unknown recipients again (paused, or completed within its retry window)
  status ID
  watch ID                             live progress line until the sending ends
  list [--project ID] [--state STATE]  STATE: draft, prepared, awaiting_approval, approved, scheduled, sending, paused, completed, rejected, cancelled, failed

Every command accepts --as NAME (who acts; default $SMS_ACTOR or your user name), --json and --help.
Exit codes: 0 done; 1 refused (by the directory, a sending's rules or Temporal); 2 the command line is wrong (unknown flag, bad value).
Limits and what is refused: docs/bad-input.md.`;

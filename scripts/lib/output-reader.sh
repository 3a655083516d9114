# Source this file: `wait_while_output_is_read` returns once nobody reads this shell's standard output
# any more: the reader of `npm start | tee log` (or `| head`, `| less`) exited or closed the pipe. It
# returns 1 at once when standard output is not a pipe whose reader can be seen in /proc (a terminal,
# a file, a socket, a reader of another user): a terminal that closes sends SIGHUP instead.
# A writer learns that a pipe lost its reader only when it writes; a stack that has started writes
# nothing for hours, so the reader itself is watched.

# The /proc/<pid>/fd/<n> entries that hold the read end of pipe $1 ("pipe:[<inode>]").
_pipe_read_ends() {
  local pipe=$1 pattern entry pid flags
  pattern=${pipe//[/\\[} && pattern=${pattern//]/\\]}
  for entry in $(find /proc/[0-9]*/fd -maxdepth 1 -lname "$pattern" 2>/dev/null); do
    pid=${entry#/proc/} && pid=${pid%%/*}
    flags=$(sed -n 's/^flags:[[:space:]]*//p' "/proc/$pid/fdinfo/${entry##*/}" 2>/dev/null) || continue
    # The access mode is the low two bits of the octal flags: 1 is write-only (a writer, like this shell).
    if [ -n "$flags" ] && (( (8#$flags & 3) != 1 )); then echo "$entry"; fi
  done
  return 0
}

wait_while_output_is_read() {
  local shell=$BASHPID pipe read_ends entry
  pipe=$(readlink "/proc/$shell/fd/1" 2>/dev/null) || return 1
  [[ $pipe == pipe:* ]] || return 1
  read_ends=$(_pipe_read_ends "$pipe")
  [ -n "$read_ends" ] || return 1
  while [ -n "$read_ends" ]; do
    for entry in $read_ends; do
      # Same pipe as this shell's output: the reader still holds it (an exited reader's fd entries are gone).
      while [ "$entry" -ef /dev/stdout ]; do sleep 1; done
    done
    # A process the reader started may hold the read end too.
    read_ends=$(_pipe_read_ends "$pipe")
  done
}

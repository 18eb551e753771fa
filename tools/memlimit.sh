#!/usr/bin/env bash
# memlimit.sh MIB COMMAND [ARGS...] -- runs COMMAND in a fresh memory cgroup limited to MIB
# mebibytes, page cache included, so that a benchmark can use a working set far larger than the
# page cache it may fill (make bench-peers-large). Linux counts a process's page cache against
# its memory cgroup and reclaims it at the limit, which is what a larger-than-RAM working set
# does on a real machine, without needing a larger-than-RAM disk.
#
# Works with cgroup v2 (memory.max; the memory controller must be enabled in the parent's
# cgroup.subtree_control) and v1 (memory.limit_in_bytes). Needs write access to the cgroup
# tree (root, or a delegated subtree); without it, it says so and exits 2 -- it never runs the
# command unlimited. The cgroup is removed when the command ends; the exit status is the
# command's.
set -euo pipefail
mib=${1:?usage: memlimit.sh MIB COMMAND [ARGS...]}
shift
[ $# -gt 0 ] || { echo "usage: memlimit.sh MIB COMMAND [ARGS...]" >&2; exit 2; }
case $mib in ''|*[!0-9]*) echo "memlimit.sh: MIB must be a number, not '$mib'" >&2; exit 2 ;; esac
bytes=$((mib * 1024 * 1024))
name="libpager-memlimit-$$"
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then           # v2 (unified)
  parent=/sys/fs/cgroup
  grep -qw memory "$parent/cgroup.subtree_control" 2>/dev/null ||
    echo "+memory" > "$parent/cgroup.subtree_control" 2>/dev/null || true
  cg="$parent/$name"
  limit_file=memory.max
elif [ -d /sys/fs/cgroup/memory ]; then                       # v1
  parent=/sys/fs/cgroup/memory
  cg="$parent/$name"
  limit_file=memory.limit_in_bytes
else
  echo "memlimit.sh: no memory cgroup hierarchy under /sys/fs/cgroup" >&2
  exit 2
fi
if ! mkdir "$cg" 2>/dev/null || [ ! -f "$cg/$limit_file" ]; then
  echo "memlimit.sh: cannot create a memory cgroup at $cg (needs root or a delegated subtree)" >&2
  rmdir "$cg" 2>/dev/null || true
  exit 2
fi
cleanup() {
  echo $$ > "$parent/cgroup.procs" 2>/dev/null || true
  rmdir "$cg" 2>/dev/null || true
}
trap cleanup EXIT
echo "$bytes" > "$cg/$limit_file"
echo $$ > "$cg/cgroup.procs"   # the command, started below, inherits the cgroup
echo "memlimit.sh: running in $cg with $limit_file = $bytes ($mib MiB, page cache included)"
set +e
"$@"
rc=$?
set -e
if [ -f "$cg/memory.max_usage_in_bytes" ]; then
  echo "memlimit.sh: peak usage $(( $(cat "$cg/memory.max_usage_in_bytes") / 1048576 )) MiB"
elif [ -f "$cg/memory.peak" ]; then
  echo "memlimit.sh: peak usage $(( $(cat "$cg/memory.peak") / 1048576 )) MiB"
fi
exit $rc

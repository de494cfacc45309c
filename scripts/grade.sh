#!/usr/bin/env bash
# Grade a folder of exercise submissions: each file is a recorded scenario that the page handed
# out ("Download for grading"), whose first lines name the exercise (`# exercise: ID`) and which
# holds the exercise's goal expectations. `raft-sim run` grades it by its exit status.
#
#   scripts/grade.sh SUBMISSIONS_DIR [EXERCISES_DIR]
#
# Prints one row per file (file, exercise, result, detail) and a total; exits 0 when every
# submission is solved, 1 otherwise. RAFT_SIM names the raft-sim binary (default: the one in
# target/, built if missing).
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:?usage: scripts/grade.sh SUBMISSIONS_DIR [EXERCISES_DIR]}"
exercises="${2:-$here/exercises}"

sim="${RAFT_SIM:-}"
if [ -z "$sim" ]; then
  for c in "$here/target/release/raft-sim" "$here/target/debug/raft-sim"; do
    if [ -x "$c" ]; then sim="$c"; break; fi
  done
fi
if [ -z "$sim" ]; then
  (cd "$here" && cargo build -q --release -p raft-sim) || { echo "grade.sh: could not build raft-sim" >&2; exit 2; }
  sim="$here/target/release/raft-sim"
fi

# The goal lines of an exercise: the non-comment lines after `# goal:`.
goal_of() { sed -n '/^# goal:/,$p' "$1" | sed -e '1d' -e 's/#.*//' -e 's/[[:space:]]*$//' -e 's/^[[:space:]]*//' | grep -v '^$'; }

shopt -s nullglob
files=("$dir"/*.scn "$dir"/*.txt)
if [ ${#files[@]} -eq 0 ]; then
  echo "grade.sh: no .scn or .txt files in $dir" >&2
  exit 2
fi

printf '%-28s %-26s %-16s %s\n' file exercise result detail
solved=0
for f in "${files[@]}"; do
  name="$(basename "$f")"
  id="$(sed -n 's/^# exercise:[[:space:]]*\([A-Za-z0-9_-]*\).*/\1/p' "$f" | head -1)"
  result="" detail=""
  if [ -z "$id" ]; then
    result="no exercise" detail="the file has no '# exercise: ID' line"
  elif [ ! -f "$exercises/$id.scn" ]; then
    result="unknown exercise" detail="there is no $exercises/$id.scn"
  else
    # The goal must still be there (as lines, not comments): without it, anything passes.
    body="$(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e 's/^[[:space:]]*//' "$f")"
    missing=""
    while IFS= read -r g; do
      grep -qxF -- "$g" <<<"$body" || { missing="$g"; break; }
    done < <(goal_of "$exercises/$id.scn")
    if [ -n "$missing" ]; then
      result="goal missing" detail="the goal line '$missing' is not in the file"
    else
      out="$("$sim" run "$f" 2>&1)"
      case $? in
        0) result="solved" detail="$(grep -c ' passed ' <<<"$out") expectations passed" ;;
        1) result="not solved"
           detail="$(grep -m1 -E 'FAILED|violation' <<<"$out" | sed 's/[[:space:]]\+/ /g')" ;;
        *) result="invalid" detail="$(head -1 <<<"$out")" ;;
      esac
    fi
  fi
  [ "$result" = solved ] && solved=$((solved + 1))
  printf '%-28s %-26s %-16s %s\n' "$name" "${id:--}" "$result" "$detail"
done
echo "$solved of ${#files[@]} solved"
[ "$solved" = "${#files[@]}" ]

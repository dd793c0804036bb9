#!/bin/sh
# Starts `train:continue` detached in the background at the lowest CPU priority, with 1 WASM thread
# (the machine is shared): console log in training/console.log, process id in training/train.pid.
# Extra arguments go to the trainer (e.g. --minutes 600). Stop it with `kill $(cat training/train.pid)`:
# SIGTERM checkpoints at the end of the current step. Run `npm run build -w @sr/ciaosr` first.
set -e
cd "$(dirname "$0")/.."
mkdir -p training
if [ -f training/train.pid ] && kill -0 "$(cat training/train.pid)" 2>/dev/null; then
  echo "already running: pid $(cat training/train.pid)" >&2
  exit 1
fi
setsid nohup nice -n 19 node scripts/train-continue.mjs --threads 1 "$@" >> training/console.log 2>&1 < /dev/null &
echo $! > training/train.pid
echo "started pid $(cat training/train.pid); log $(pwd)/training/console.log"

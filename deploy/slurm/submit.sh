#!/bin/bash
# Submits a sharded Wave Studio run on Slurm: an array of SHARDS tasks
# (shards.sbatch), then the merge (merge.sbatch), which waits for every task
# of the array to end (--dependency=afterany).
#   INPUT=/shared/music OUT=/shared/wave-out ./submit.sh 16
set -euo pipefail
cd "$(dirname "$0")"
SHARDS=${1:?usage: submit.sh SHARDS (the number of array tasks)}
: "${INPUT:?set INPUT to the folder of audio on the shared filesystem}"
: "${OUT:?set OUT to a folder on the shared filesystem for the results}"
export INPUT OUT

array=$(sbatch --parsable --export=ALL --array="0-$((SHARDS - 1))" shards.sbatch)
# --parsable prints "jobid[;cluster]"; the dependency needs the id alone.
array=${array%%;*}
merge=$(sbatch --parsable --export=ALL --dependency="afterany:${array}" merge.sbatch)
echo "shards: job array ${array} (${SHARDS} tasks); merge: job ${merge%%;*}"

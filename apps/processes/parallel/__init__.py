"""The parallel execution analyzer (§6.12, §19.9): one job, its independent values in batches.

An input that takes several values (`maxOccurs` > 1 or "unbounded") and whose description
carries the processing directive `correlatedInputs: false` (§17.2.4; the process description
may say it for all its inputs, the nearer scope wins) has values that do not depend on each
other. A request giving it M > 1 values runs as N = min(M, PARALLEL_MAX_BATCHES) executions
of the process, each on a contiguous batch of those values, the other inputs unchanged. When
several inputs qualify, the one with the most values is split (on a tie, the first by id).

The user still sees one job. Its own task (the parent) writes a `JobBatch` row per batch,
queues a `jobs.run_batch` task for each batch after the first, then works through the batches
itself. A batch is claimed with a conditional UPDATE, so it runs once, in whichever process
claims it first; a task whose batch is taken ends at once. With a single worker slot the
parent simply runs every batch in turn: it never waits on a task that cannot start. Then the
parent waits for the batches others claimed, publishing the mean of their progress as the
job's, and takes over a batch whose worker stopped beating. When a batch fails, the others are
stopped and the job fails naming the failed batch's values; dismissing the job stops them too
(their reporters raise at the next report, as a job's do).

Each batch keeps its outputs in its row and the parent gathers them in batch order: an
output every batch returned as a list is their concatenation, any other output is the list
of the batches' values. Several files for one output are stored as the outputs `<id>.1`,
`<id>.2`, … (`apps.jobs.services.job_output_rows`).

Batches on other workers open the input files at the paths the parent staged them to, and
write their outputs in the job's folder: the workers share the platform's storage folder,
as they already do for job outputs.
"""

from apps.processes.parallel.batches import (
    BatchFailedError,
    BatchReporter,
    BatchStoppedError,
    batch_run,
    batch_run_id,
    batches_stop,
)
from apps.processes.parallel.encoding import decoded, encoded, gathered
from apps.processes.parallel.plan import Batch, Plan, batch_label, parallel_plan
from apps.processes.parallel.run import ParallelRun, execute

__all__ = [
    "Batch",
    "BatchFailedError",
    "BatchReporter",
    "BatchStoppedError",
    "ParallelRun",
    "Plan",
    "batch_label",
    "batch_run",
    "batch_run_id",
    "batches_stop",
    "decoded",
    "encoded",
    "execute",
    "gathered",
    "parallel_plan",
]

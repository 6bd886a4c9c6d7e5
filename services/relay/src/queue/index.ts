export { JobQueue, JOB_STATES, backoffMs, retryPolicy, type Chain, type Job, type JobEvent, type JobLease, type JobRequest, type JobState, type JsonValue, type QueueCounts, type RetryPolicy, type SentFields } from "./queue.ts";
export { WorkerPool, type JobContext, type JobHandler, type JobOutcome, type WorkerPoolOptions } from "./workers.ts";

// The Kafka tests share one mock cluster and two cores: running them one class at a time keeps rebalance
// timings sane and lets the CPU measurement of the broker-down test see only its own worker.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

// Torch has process-wide state (the global generator that model initialisation draws from, the thread count), so
// tests that train or seed must not interleave: the whole assembly runs its tests one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

using SgdWalk.Data;

namespace SgdWalk.Tests.Data;

/// <summary>
/// The data cache of a sweep or a warm worker: one load per distinct dataset, lent to every run that asks for it, never
/// freed while a run holds it, and bounded: idle datasets beyond the capacity are freed, least recently used first.
/// Loads are counted, not timed.
/// </summary>
public class DataCacheTests
{
    private static DataOptions Synthetic(long seed, int train = 200) => new("synthetic", TrainSize: train, ValidationSize: 50, Seed: seed);

    [Fact]
    public void The_same_dataset_is_loaded_once_and_lent_to_every_run()
    {
        using var cache = new DataCache();
        DataBundle first;
        using (var lease = cache.Borrow(Synthetic(1))) first = lease.Data;
        using (var again = cache.Borrow(Synthetic(1)))
        {
            Assert.Same(first, again.Data);
            Assert.Equal(200, again.Data.Train.Count); // still whole after the first run returned it
        }
        Assert.Equal(1, cache.Loads);
    }

    [Fact]
    public void Anything_that_decides_the_tensors_makes_another_dataset()
    {
        using var cache = new DataCache(capacity: 4);
        using (cache.Borrow(Synthetic(1))) { }
        using (cache.Borrow(Synthetic(2))) { }           // the synthetic set's seed
        using (cache.Borrow(Synthetic(1, train: 300))) { } // a split size
        Assert.Equal(3, cache.Loads);
    }

    [Fact]
    public void Real_datasets_ignore_the_seed_and_are_known_by_their_directory()
    {
        using var one = new TempDirectory();
        using var two = new TempDirectory();
        SmallSets.WriteMnist(one.Path, train: 40, test: 10, gzip: false);
        SmallSets.WriteMnist(two.Path, train: 40, test: 10, gzip: false);
        using var cache = new DataCache(capacity: 4);
        using (cache.Borrow(new DataOptions("mnist", one.Path, ValidationSize: 10, Seed: 1))) { }
        using (cache.Borrow(new DataOptions("mnist", one.Path, ValidationSize: 10, Seed: 2))) { }
        Assert.Equal(1, cache.Loads);
        using (cache.Borrow(new DataOptions("mnist", two.Path, ValidationSize: 10, Seed: 1))) { }
        Assert.Equal(2, cache.Loads);
    }

    [Fact]
    public void Idle_datasets_beyond_the_capacity_are_freed_but_never_one_in_use()
    {
        using var cache = new DataCache(capacity: 1);
        var held = cache.Borrow(Synthetic(1));
        DataBundle second;
        using (var lease = cache.Borrow(Synthetic(2))) second = lease.Data;
        // Two datasets, capacity one: the idle one (seed 2) goes, the one a run holds stays usable.
        Assert.Equal(1, cache.Count);
        Assert.Throws<ObjectDisposedException>(() => second.Train.Take(0, 1));
        using (var rows = held.Data.Train.Take(0, 1)) Assert.Equal(1, rows.Count);
        held.Dispose();
        held.Dispose(); // a lease returns its data once
        using (var again = cache.Borrow(Synthetic(1))) Assert.Same(held.Data, again.Data);
        Assert.Equal(2, cache.Loads);
    }

    [Fact]
    public void Disposing_the_cache_frees_idle_data_and_lent_data_when_it_comes_back()
    {
        var cache = new DataCache();
        DataBundle idle;
        using (var lease = cache.Borrow(Synthetic(1))) idle = lease.Data;
        var lent = cache.Borrow(Synthetic(2));
        cache.Dispose();
        Assert.Throws<ObjectDisposedException>(() => idle.Train.Take(0, 1));
        using (var rows = lent.Data.Train.Take(0, 1)) Assert.Equal(1, rows.Count);
        lent.Dispose();
        Assert.Throws<ObjectDisposedException>(() => lent.Data.Train.Take(0, 1));
        Assert.Throws<ObjectDisposedException>(() => cache.Borrow(Synthetic(1)));
    }
}

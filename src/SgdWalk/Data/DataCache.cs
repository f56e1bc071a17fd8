namespace SgdWalk.Data;

/// <summary>
/// Datasets loaded once and lent to every run of one process that asks for the same data (the cells of a sweep, the
/// cells a warm `--jobs` worker runs one after another). A dataset is the same when everything that decides its
/// tensors is: the dataset, the directory or file it resolves to (an `npz:` file also by its size and time), the split
/// sizes, and for the synthetic set its seed. Runs only read the splits they borrow (every batch, view and augmentation
/// is a copy), so a run's files are the same whether it loaded its data or borrowed it. At most <see cref="Capacity"/>
/// datasets not in use are kept, the least recently used leaving first, so a sweep over many synthetic seeds does not
/// accumulate them.
/// </summary>
public sealed class DataCache : IDisposable
{
    private readonly object gate = new();
    private readonly LinkedList<Entry> entries = new(); // most recently used first
    private bool disposed;

    /// <param name="capacity">Datasets kept while no run uses them (at least 1).</param>
    public DataCache(int capacity = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    public int Capacity { get; }

    /// <summary>How many times a dataset was actually loaded (the rest were borrowed from the cache).</summary>
    public int Loads { get; private set; }

    /// <summary>The datasets held now (in use or kept).</summary>
    public int Count
    {
        get { lock (gate) return entries.Count; }
    }

    /// <summary>The dataset <paramref name="options"/> describe, loaded now or borrowed; dispose the lease when the run is done with it.</summary>
    /// <exception cref="ArgumentException">See <see cref="DatasetCatalog.Load"/> (nothing is cached then).</exception>
    public DataLease Borrow(DataOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var key = Key.Of(options);
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (entries.FirstOrDefault(e => e.Key == key) is { } found)
            {
                entries.Remove(found);
                entries.AddFirst(found);
                found.Users++;
                return new DataLease(found.Data, () => Return(found), loaded: false);
            }
        }
        // Loaded outside the lock: a long load does not hold up other callers (a second caller of the same key loads it too).
        var data = DatasetCatalog.Load(options);
        lock (gate)
        {
            Loads++;
            if (disposed)
            {
                data.Dispose();
                throw new ObjectDisposedException(nameof(DataCache));
            }
            var entry = new Entry(key, data) { Users = 1 };
            entries.AddFirst(entry);
            Trim();
            return new DataLease(data, () => Return(entry), loaded: true);
        }
    }

    private void Return(Entry entry)
    {
        lock (gate)
        {
            entry.Users--;
            if (entry.Users == 0 && (disposed || !entries.Contains(entry))) entry.Data.Dispose();
            else Trim();
        }
    }

    /// <summary>Drops the least recently used datasets beyond <see cref="Capacity"/>; one in use is disposed when its last user returns it.</summary>
    private void Trim()
    {
        while (entries.Count > Capacity && entries.Reverse().FirstOrDefault(e => e.Users == 0) is { } idle)
        {
            entries.Remove(idle);
            idle.Data.Dispose();
        }
    }

    /// <summary>Frees every dataset no run uses; one still lent out is freed when it is returned.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            foreach (var entry in entries.Where(e => e.Users == 0)) entry.Data.Dispose();
            entries.Clear();
        }
    }

    private sealed class Entry(Key key, DataBundle data)
    {
        public Key Key { get; } = key;

        public DataBundle Data { get; } = data;

        public int Users { get; set; }
    }

    /// <summary>What decides a dataset's tensors. The real sets ignore the seed; an `npz:` file is also known by its size and write time.</summary>
    private readonly record struct Key(string Dataset, string Source, long Length, long WriteTicks, int? ValidationSize, int? TrainSize, long Seed)
    {
        public static Key Of(DataOptions o)
        {
            string source = DatasetCatalog.ResolveDirectory(o.Dataset, o.DataDir);
            bool file = NpzDataset.IsNpz(o.Dataset, out _);
            var info = file ? new FileInfo(source) : null;
            bool synthetic = source == DatasetCatalog.GeneratedDirectory;
            return new Key(o.Dataset.Trim().ToLowerInvariant(), source, info?.Length ?? 0, info?.LastWriteTimeUtc.Ticks ?? 0, o.ValidationSize, o.TrainSize,
                synthetic ? o.Seed : 0);
        }
    }
}

/// <summary>A dataset lent to one run: <see cref="Data"/> stays valid until the lease is disposed. Owns the data when it was loaded without a cache.</summary>
public sealed class DataLease : IDisposable
{
    private Action? release;

    internal DataLease(DataBundle data, Action release, bool loaded)
    {
        Data = data;
        this.release = release;
        Loaded = loaded;
    }

    /// <summary>A lease on data loaded for one run only: disposing the lease disposes the data.</summary>
    public static DataLease Owned(DataBundle data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new DataLease(data, data.Dispose, loaded: true);
    }

    public DataBundle Data { get; }

    /// <summary>True when the data was loaded for this lease; false when it was borrowed from a cache that already held it.</summary>
    public bool Loaded { get; }

    public void Dispose()
    {
        Interlocked.Exchange(ref release, null)?.Invoke();
    }
}

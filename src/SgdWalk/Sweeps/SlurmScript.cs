using System.Globalization;
using System.Text;

namespace SgdWalk.Sweeps;

/// <summary>
/// Writes a Slurm array job for a sweep into its folder: sweep.slurm (one array task per shard, task I runs
/// `--shard I/N`), report.slurm (merges whatever cells exist into the sweep report) and submit.sh (submits the
/// array, then the report with a dependency on the whole array). Every task shares the sweep folder, so the
/// cluster needs a shared file system; rerunning the array resumes (finished cells are skipped).
/// </summary>
public static class SlurmScript
{
    /// <param name="folder">The sweep folder (absolute; the scripts go there).</param>
    /// <param name="launcher">How to start sgdwalk on the nodes, shell-quoted, e.g. `'/usr/bin/dotnet' '/opt/sgdwalk/SgdWalk.Cli.dll'`;
    /// $SGDWALK overrides it at run time.</param>
    /// <param name="arguments">The sweep's command line (verb first), without any --shard or --emit.</param>
    /// <param name="shards">Array tasks.</param>
    /// <param name="workingDirectory">Where relative paths in <paramref name="arguments"/> are meant from.</param>
    public static IReadOnlyList<string> Write(string folder, string launcher, IReadOnlyList<string> arguments, int shards, string workingDirectory)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        string logs = Path.Combine(folder, "slurm");
        Directory.CreateDirectory(logs);
        string n = shards.ToString(CultureInfo.InvariantCulture);
        string header = $"""
            #!/bin/bash
            #SBATCH --chdir={workingDirectory}
            #SBATCH --cpus-per-task=1
            """;
        string environment = $"""
            set -euo pipefail
            # Keep large tensor buffers in the heap (see docs/speed.md); override the launcher with $SGDWALK.
            export GLIBC_TUNABLES="${"{"}GLIBC_TUNABLES:-glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=17179869184{"}"}"
            export MKL_DISABLE_FAST_MM="${"{"}MKL_DISABLE_FAST_MM:-1{"}"}"
            # The launcher's allocator (docs/speed.md, "Memory"): jemalloc with purging off where the node has Debian's libjemalloc2.
            jemalloc=/usr/lib/$(uname -m)-linux-gnu/libjemalloc.so.2
            if [ "${"{"}SGDWALK_ALLOCATOR:-jemalloc{"}"}" = jemalloc ] && [ -f "$jemalloc" ]; then
              export SGDWALK_ALLOCATOR=jemalloc LD_PRELOAD="$jemalloc${"{"}LD_PRELOAD:+:$LD_PRELOAD{"}"}"
              export MALLOC_CONF="${"{"}MALLOC_CONF:-dirty_decay_ms:-1,muzzy_decay_ms:-1{"}"}"
            fi
            sgdwalk() {"{"} if [ -n "${"{"}SGDWALK:-{"}"}" ]; then $SGDWALK "$@"; else {launcher} "$@"; fi; {"}"}
            """;
        var sweep = new StringBuilder()
            .AppendLine(header)
            .AppendLine("#SBATCH --job-name=sgdwalk-sweep")
            .AppendLine($"#SBATCH --array=1-{n}")
            .AppendLine($"#SBATCH --output={Path.Combine(logs, "sweep-%A_%a.out")}")
            .AppendLine($"# Written by sgdwalk (emit slurm): array task I runs shard I/{n} of the sweep in {folder}.")
            .AppendLine(environment)
            .AppendLine($"sgdwalk {Quote(arguments)} --shard \"${{SLURM_ARRAY_TASK_ID}}/{n}\"")
            .ToString();
        var report = new StringBuilder()
            .AppendLine(header)
            .AppendLine("#SBATCH --job-name=sgdwalk-report")
            .AppendLine($"#SBATCH --output={Path.Combine(logs, "report-%j.out")}")
            .AppendLine("# Merges every cell present (summary.csv, figures, report.html), whatever the array tasks finished.")
            .AppendLine(environment)
            .AppendLine($"sgdwalk report {Quote([folder])}")
            .ToString();
        string submit = $"""
            #!/bin/bash
            # Submits the sweep's array job, then the report once every array task has ended (afterany: also after failures).
            set -euo pipefail
            here="$(cd "$(dirname "${"{"}BASH_SOURCE[0]{"}"}")" && pwd)"
            array=$(sbatch --parsable "$here/sweep.slurm")
            report=$(sbatch --parsable --dependency=afterany:${"{"}array%%;*{"}"} "$here/report.slurm")
            echo "submitted array job ${"{"}array%%;*{"}"} ({n} tasks) and report job ${"{"}report%%;*{"}"}"

            """;
        var written = new List<string>();
        foreach (var (name, text) in new[] { ("sweep.slurm", sweep), ("report.slurm", report), ("submit.sh", submit) })
        {
            string path = Path.Combine(folder, name);
            File.WriteAllText(path, text.ReplaceLineEndings("\n"));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path,
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
                | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            written.Add(path);
        }
        return written;
    }

    /// <summary>Each argument in single quotes, so bash passes it through unchanged.</summary>
    public static string Quote(IEnumerable<string> arguments) =>
        string.Join(' ', arguments.Select(a => "'" + a.Replace("'", "'\\''") + "'"));
}

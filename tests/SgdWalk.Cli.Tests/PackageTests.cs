using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using SgdWalk.Records;

namespace SgdWalk.Cli.Tests;

/// <summary>
/// What `dotnet pack` makes, used as a .NET user would: the tool installed from a folder feed into a temporary tool
/// path, and a console project that references the SgdWalk *package*. Nothing touches the user's global tool folder,
/// NuGet config or package cache (see <see cref="PackedFeed"/>).
/// </summary>
public class PackageTests(PackedFeed feed) : IClassFixture<PackedFeed>
{
    [Fact]
    public void The_library_package_carries_its_readme_docs_native_patch_and_dependencies()
    {
        using var package = ZipFile.OpenRead(feed.Package("SgdWalk"));
        var entries = package.Entries.Select(e => e.FullName).ToHashSet();
        Assert.Contains("README.md", entries);
        Assert.Contains("lib/net10.0/SgdWalk.dll", entries);
        Assert.Contains("lib/net10.0/SgdWalk.xml", entries);
        Assert.Contains("buildTransitive/SgdWalk.targets", entries);
        string nuspec = Read(package, "SgdWalk.nuspec");
        Assert.Contains("<readme>README.md</readme>", nuspec);
        Assert.Contains($"<dependency id=\"SgdWalk.Records\" version=\"{feed.Version}\"", nuspec);
        Assert.Contains("<dependency id=\"TorchSharp-cpu\"", nuspec);
        Assert.DoesNotContain("SgdWalk.Reporting", nuspec); // reports need no TorchSharp, and the library no reports

        using var tool = ZipFile.OpenRead(feed.Package("SgdWalk.Cli"));
        Assert.Contains("<packageType name=\"DotnetTool\" />", Read(tool, "SgdWalk.Cli.nuspec"));
        Assert.Contains(tool.Entries, e => e.FullName.EndsWith("/DotnetToolSettings.xml", StringComparison.Ordinal));
    }

    [Fact]
    public void The_tool_installed_from_the_package_runs_a_synthetic_walk()
    {
        string tools = Path.Combine(feed.Root, "tools");
        var (code, output) = feed.Dotnet(feed.Root, "tool", "install", "SgdWalk.Cli", "--version", feed.Version,
            "--tool-path", tools, "--configfile", feed.Config);
        Assert.True(code == 0, output);

        string run = Path.Combine(feed.Root, "tool-run");
        (code, output) = PackedFeed.Run(Path.Combine(tools, "sgdwalk"), feed.Root, feed.Variables,
            "train", "--dataset", "synthetic", "--steps", "3", "--no-report", "--out", run);
        Assert.True(code == 0, output);
        Assert.Equal(3, CsvTable.Read(Path.Combine(run, "steps.csv")).Rows.Count);
        Assert.Equal(RunStatus.Completed, RunManifest.Read(Path.Combine(run, "run.json")).Status);
    }

    [Fact]
    public void A_console_project_referencing_the_package_runs_a_library_walk()
    {
        string project = Path.Combine(feed.Root, "consumer");
        Directory.CreateDirectory(project);
        File.WriteAllText(Path.Combine(project, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <RuntimeIdentifier>linux-x64</RuntimeIdentifier>
                <SelfContained>false</SelfContained>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="SgdWalk" Version="{feed.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(project, "Program.cs"), ConsumerProgram);
        File.Copy(feed.Config, Path.Combine(project, "nuget.config"));

        var (code, output) = feed.Dotnet(project, "build", "-c", "Release", "-m:1", "-nologo", "--disable-build-servers", "-nodeReuse:false");
        Assert.True(code == 0, output);
        // The package, not a project: restore resolved SgdWalk from the feed into the temporary package folder.
        using var assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(project, "obj", "project.assets.json")));
        var library = assets.RootElement.GetProperty("libraries").GetProperty($"SgdWalk/{feed.Version}");
        Assert.Equal("package", library.GetProperty("type").GetString());
        Assert.True(Directory.Exists(Path.Combine(feed.Packages, "sgdwalk", feed.Version)));

        string run = Path.Combine(feed.Root, "library-run");
        string dll = Path.Combine(project, "bin", "Release", "net10.0", "linux-x64", "Consumer.dll");
        (code, output) = feed.Dotnet(project, dll, run);
        Assert.True(code == 0, output);
        Assert.Contains("recorded 5 steps", output);
        var steps = CsvTable.Read(Path.Combine(run, "steps.csv"));
        Assert.Equal(5, steps.Rows.Count);
        Assert.All(steps.Numbers("probe_height"), h => Assert.True(double.IsFinite(h)));
        Assert.Equal("library", (string)RunManifest.Read(Path.Combine(run, "run.json")).Options["source"]!);
    }

    private static string Read(ZipArchive zip, string name)
    {
        using var reader = new StreamReader(zip.GetEntry(name)!.Open(), Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>The four recorder calls of docs/library.md around a plain TorchSharp loop, on a model the library does not know.</summary>
    private const string ConsumerProgram = """
        using SgdWalk.Landscape;
        using SgdWalk.Probes;
        using static TorchSharp.torch;

        manual_seed(7);
        var inputs = randn(400, 2);
        var targets = (inputs[.., 0] * inputs[.., 1] > 0).to(ScalarType.Int64);
        using var model = nn.Sequential(("hidden", nn.Linear(2, 16)), ("tanh", nn.Tanh()), ("output", nn.Linear(16, 2)));
        using var optimizer = optim.SGD(model.parameters(), learningRate: 0.5);
        var probe = DataView.Own("probe", inputs[..200].clone(), targets[..200].clone(), chunkSize: 200);
        var options = new RecorderOptions { Record = RecordSchedule.Parse("all"), BatchChunkSize = 32 };
        using (var recorder = new WalkRecorder(model, options, args[0], probe))
        {
            var generator = new Generator(8);
            for (int step = 0; step < 5; step++)
            {
                using var scope = NewDisposeScope();
                var index = randint(0, inputs.shape[0], [32], generator: generator);
                var (x, y) = (inputs.index_select(0, index), targets.index_select(0, index));
                recorder.BeginStep(x, y);
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.call(x), y);
                loss.backward();
                recorder.CaptureGradient(loss.item<float>());
                optimizer.step();
                recorder.EndStep(step, epoch: 1, learningRate: 0.5);
            }
            recorder.Flush();
            Console.WriteLine($"recorded {recorder.RecordedSteps} steps");
        }
        """;
}

/// <summary>
/// One pack per test class: the four src/ packages, packed from the build the tests run on (`--no-build`, so the
/// binaries other tests use are not rewritten) under a version no cache can hold (0.2.0-test.&lt;unique&gt;), into a
/// temporary folder feed. A temporary nuget.config adds that feed to the sources the user already has (it reads, never
/// writes, their config); restores go into a temporary package folder, with the user's package folder as a read-only
/// fallback so TorchSharp's ~1.3 GB is reused and not copied.
/// </summary>
public sealed class PackedFeed : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("sgdwalk-pack-").FullName;
    public string Feed => Path.Combine(Root, "feed");
    public string Packages => Path.Combine(Root, "packages");
    public string Config => Path.Combine(Root, "nuget.config");
    public string Version { get; } = $"0.2.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
    public IReadOnlyList<(string Name, string Value)> Variables { get; }

    private static readonly string Configuration =
        typeof(PackedFeed).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    public PackedFeed()
    {
        string userPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set
            ? set
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="sgdwalk-test-feed" value="{Feed}" />
              </packageSources>
              <fallbackPackageFolders>
                <add key="user-packages" value="{userPackages}" />
              </fallbackPackageFolders>
            </configuration>
            """);
        // The runtime this test host runs on, so the tool's app host finds the same dotnet.
        string dotnetRoot = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        Variables =
        [
            ("NUGET_PACKAGES", Packages),
            ("DOTNET_ROOT", dotnetRoot),
            ("DOTNET_CLI_TELEMETRY_OPTOUT", "1"),
            ("DOTNET_NOLOGO", "1"),
            ("GLIBC_TUNABLES", "glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=17179869184"),
            ("MKL_DISABLE_FAST_MM", "1"),
        ];
        string src = Path.Combine(Approved.ApprovedFile.Folder, "..", "..", "..", "src");
        foreach (var project in new[] { "SgdWalk.Records", "SgdWalk", "SgdWalk.Reporting", "SgdWalk.Cli" })
        {
            var (code, output) = Dotnet(Root, "pack", Path.Combine(src, project, project + ".csproj"), "-c", Configuration,
                "--no-build", "-m:1", "-nologo", "--disable-build-servers", "-nodeReuse:false", "-o", Feed, $"-p:PackageVersion={Version}");
            if (code != 0) throw new InvalidOperationException($"dotnet pack {project} failed:\n{output}");
        }
    }

    public string Package(string id) => Path.Combine(Feed, $"{id}.{Version}.nupkg");

    /// <summary>Runs dotnet in <paramref name="directory"/>. Builds are started with --disable-build-servers and
    /// -nodeReuse:false, so no compiler server or MSBuild node outlives the test.</summary>
    public (int Code, string Output) Dotnet(string directory, params string[] args) => Run("dotnet", directory, Variables, args);

    public static (int Code, string Output) Run(string program, string directory, IReadOnlyList<(string Name, string Value)> environment,
        params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        // A child build must not inherit the test host's MSBuild node or SDK resolution settings.
        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBUILDNOINPROCNODE" })
            start.Environment.Remove(name);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var output = new StringBuilder();
        var lines = new object();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (lines) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (lines) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        lock (lines) return (process.ExitCode, $"{program} {string.Join(' ', args)} (exit {process.ExitCode}):\n{output}");
    }

    /// <summary>The temporary tree holds ~1.8 GB (the tool, the consumer's output); it goes with the class.</summary>
    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

namespace SgdWalk.Cli.Tests.Approved;

/// <summary>The `--help` text of every command, approved as text: an option added, renamed or re-defaulted shows in review.</summary>
public class HelpTextTests
{
    public static TheoryData<string> Commands =>
        ["", "train", "resume", "export", "report", "barrier", "sweep", "experiment", "claims", "bench", "list"];

    [Theory]
    [MemberData(nameof(Commands))]
    public void Help_text_is_the_approved_one(string command)
    {
        string[] args = command.Length == 0 ? ["--help"] : [command, "--help"];
        var (code, output) = CliHarness.Run(args);
        Assert.Equal(0, code);
        string received = Normalise(output);
        string approved = ApprovedFile.Read(Path.Combine("help", (command.Length == 0 ? "sgdwalk" : command) + ".txt"), received);
        Assert.True(approved == received, $"`sgdwalk {command} --help` changed; if intended, approve it (SGDWALK_APPROVE=1).\n--- " +
            $"approved\n{approved}\n--- now\n{received}");
    }

    // The recording console pads lines to its width; trailing blanks are not part of the text.
    private static string Normalise(string output) =>
        string.Join('\n', output.ReplaceLineEndings("\n").Split('\n').Select(l => l.TrimEnd())).TrimEnd() + "\n";
}

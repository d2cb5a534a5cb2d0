using System.Diagnostics;
using Social.Api.Infrastructure;

namespace Social.Api.Data;

/// <summary>Running PostgreSQL's tools for the cluster, as the postgres user when we are root.</summary>
public sealed partial class LocalPostgres
{
    /// <summary>
    /// Whether the server can keep its files in <paramref name="folder"/>: always, unless we are
    /// root, when it runs as postgres and every parent folder must let that user through.
    /// </summary>
    public static bool ServerCanUse(string folder)
    {
        if (!Environment.IsPrivilegedProcess)
            return true;
        Directory.CreateDirectory(folder);
        Exec("chown", ["-R", $"{Superuser}:", folder], "give the cluster folder to the postgres user");
        return Exec("runuser", ["-u", Superuser, "--", "test", "-w", folder], null) == 0;
    }

    void GiveFolderToPostgresUser()
    {
        if (_asPostgresUser && !ServerCanUse(_folder))
            throw new InvalidConfigurationException(
                $"PostgreSQL cannot run as root, and the postgres user cannot write to {_folder} "
                + "(a parent folder is private): move it somewhere readable by other users, or set DATABASE_URL.");
    }

    void Run(string tool, params string[] arguments)
    {
        var program = Path.Combine(_bin, tool);
        var exitCode = _asPostgresUser
            ? Exec("runuser", ["-u", Superuser, "--", program, .. arguments], tool)
            : Exec(program, arguments, tool);
        if (exitCode != 0)
            throw new InvalidConfigurationException($"{tool} failed (exit code {exitCode}) for the local PostgreSQL cluster in {_folder}; see {LogFile}.");
    }

    // Runs a command, passing its output through to ours (one place to read what went wrong).
    static int Exec(string program, IEnumerable<string> arguments, string? purpose)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidConfigurationException($"Could not run {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0 && purpose is not null)
            Console.Error.WriteLine($"{purpose}: {output.Result}{error}".TrimEnd());
        return process.ExitCode;
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;
using Social.Api.Infrastructure;

namespace Social.Api.Data;

/// <summary>
/// A private PostgreSQL cluster in a folder, run with the machine's own <c>initdb</c> and
/// <c>pg_ctl</c> on a free loopback port. It backs the zero-configuration run and the test suite.
/// As root it runs as the <c>postgres</c> user, since PostgreSQL refuses to run as root.
/// </summary>
public sealed partial class LocalPostgres : IDisposable
{
    const string Superuser = "postgres";

    readonly string _folder;
    readonly string _bin;
    readonly bool _asPostgresUser = Environment.IsPrivilegedProcess;
    bool _stopped;

    LocalPostgres(string folder, string bin, int port, string password) =>
        (_folder, _bin, Port, Password) = (folder, bin, port, password);

    public int Port { get; }
    public string Password { get; }
    public string DataDirectory => Path.Combine(_folder, "pgdata");
    string LogFile => Path.Combine(_folder, "postgres.log");

    /// <summary>
    /// Starts the cluster in <paramref name="folder"/>, creating it first if needed; reuses it
    /// when it is already running. <paramref name="durable"/> false trades crash safety for
    /// speed (test clusters).
    /// </summary>
    public static LocalPostgres Start(string folder, bool durable = true, IReadOnlyList<string>? serverSettings = null)
    {
        var bin = FindBinaries();
        Directory.CreateDirectory(folder);
        var passwordFile = Path.Combine(folder, "password");
        var dataDirectory = Path.Combine(folder, "pgdata");

        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            File.WriteAllText(passwordFile, Convert.ToHexString(RandomNumberGenerator.GetBytes(24)));
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var init = new LocalPostgres(folder, bin, 0, "");
            init.GiveFolderToPostgresUser();
            string[] initdb = ["-D", dataDirectory, "-U", Superuser, "--pwfile", passwordFile,
                "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C"];
            init.Run("initdb", durable ? initdb : [.. initdb, "--no-sync"]);
        }

        var password = File.ReadAllText(passwordFile).Trim();
        if (RunningPort(dataDirectory) is { } running)
            return new LocalPostgres(folder, bin, running, password);

        var cluster = new LocalPostgres(folder, bin, ChoosePort(folder), password);
        cluster.GiveFolderToPostgresUser();
        var options = new List<string>
        {
            $"-p {cluster.Port}", "-c listen_addresses=127.0.0.1", "-c unix_socket_directories=''",
        };
        if (!durable)
            options.AddRange(["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]);
        options.AddRange((serverSettings ?? []).Select(s => $"-c {s}"));
        cluster.Run("pg_ctl", "-D", dataDirectory, "-l", cluster.LogFile, "-w", "-t", "60",
            "-o", string.Join(' ', options), "start");
        File.WriteAllText(Path.Combine(folder, "port"), cluster.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return cluster;
    }

    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = Superuser,
        Password = Password,
        Database = database,
    }.ConnectionString;

    public async Task CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection)
        {
            Parameters = { new() { Value = name } },
        };
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Stops the server with a fast shutdown (open sessions are ended, data is kept).</summary>
    public void Stop(string mode = "fast")
    {
        if (_stopped)
            return;
        Run("pg_ctl", "-D", DataDirectory, "-m", mode, "-w", "stop");
        _stopped = true;
    }

    public void Dispose() => Stop();

    static string FindBinaries()
    {
        // Debian keeps the server binaries off PATH, in /usr/lib/postgresql/<version>/bin.
        var configured = Environment.GetEnvironmentVariable("POSTGRES_BIN");
        IEnumerable<string> candidates = configured is not null
            ? [configured]
            : [
                .. Directory.Exists("/usr/lib/postgresql")
                    ? Directory.GetDirectories("/usr/lib/postgresql")
                        .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                        .Select(d => Path.Combine(d, "bin"))
                    : [],
                .. (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries),
            ];

        return candidates.FirstOrDefault(dir => File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")))
            ?? throw new InvalidConfigurationException(
                "No database is configured and no PostgreSQL server binaries (initdb, pg_ctl) were found"
                + (configured is null ? "" : $" in POSTGRES_BIN={configured}")
                + ": install them (Debian/Ubuntu: apt-get install postgresql) or set DATABASE_URL "
                + "(or DATABASE_HOSTNAME, DATABASE_USERNAME, DATABASE_PASSWORD, DATABASE_NAME) to use an existing server.");
    }

    static int? RunningPort(string dataDirectory)
    {
        // postmaster.pid: line 1 the pid, line 4 the port. A stale file (after a crash) names a dead pid.
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile))
            return null;
        var lines = File.ReadAllLines(pidFile);
        if (lines.Length < 4 || !int.TryParse(lines[0], out var pid) || !int.TryParse(lines[3], out var port))
            return null;
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited ? null : port;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    // The port used last time if it is still free (so psql users can keep their command), else any free one.
    static int ChoosePort(string folder)
    {
        var portFile = Path.Combine(folder, "port");
        if (File.Exists(portFile) && int.TryParse(File.ReadAllText(portFile), out var previous) && IsFree(previous))
            return previous;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Social.Api.Tests.Infrastructure;

/// <summary>
/// The service as a real process (<c>dotnet Social.Api.dll</c>), for what only a process shows:
/// start-up errors and exit codes, the zero-configuration cluster, signals.
/// </summary>
public sealed class ServiceProcess : IDisposable
{
    static readonly string[] InheritedVariables = ["PATH", "HOME", "DOTNET_ROOT", "TMPDIR", "LANG"];

    readonly Process _process;
    readonly StringBuilder _stdout = new(), _stderr = new();

    ServiceProcess(Process process) => _process = process;

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }

    /// <summary>Standard output so far as JSON log lines (the default log format).</summary>
    public List<JsonElement> JsonLogLines() =>
        [.. Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(line => JsonDocument.Parse(line).RootElement)];

    /// <summary>The access-log lines written so far.</summary>
    public List<JsonElement> AccessLogLines() => [.. JsonLogLines().Where(line => line.GetProperty("Category").GetString() == "AccessLog")];
    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>Starts the service with only the given variables (plus PATH and HOME), so nothing leaks in from the test machine.</summary>
    public static ServiceProcess Start(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Social.Api.dll"));
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment.Clear();
        foreach (var name in InheritedVariables)
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
                start.Environment[name] = value;
        }
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment)
            start.Environment[name] = value;

        var service = new ServiceProcess(new Process { StartInfo = start });
        service._process.OutputDataReceived += (_, e) => { lock (service._stdout) service._stdout.AppendLine(e.Data); };
        service._process.ErrorDataReceived += (_, e) => { lock (service._stderr) service._stderr.AppendLine(e.Data); };
        service._process.Start();
        service._process.BeginOutputReadLine();
        service._process.BeginErrorReadLine();
        return service;
    }

    /// <summary>
    /// The service on a new database of the test cluster, ready (migrated) when returned; the
    /// given variables are added to, or replace, the database, secret and bcrypt settings.
    /// </summary>
    public static async Task<(ServiceProcess Service, string Url, string Database)> StartOnNewDatabaseAsync(
        TestEnvironment env, string name, IReadOnlyDictionary<string, string>? environment = null)
    {
        var database = await env.Cluster.CreateUniqueDatabaseAsync(name);
        var url = $"http://127.0.0.1:{FreePort()}";
        var variables = new Dictionary<string, string>
        {
            ["DATABASE_URL"] = $"postgresql://postgres:{env.Cluster.Password}@127.0.0.1:{env.Cluster.Port}/{database}",
            ["SECRET_KEY"] = ApiFactory.SecretKey,
            ["BCRYPT_COST"] = "4",
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            variables[key] = value;
        var service = Start(AppContext.BaseDirectory, variables, "--urls", url);
        try
        {
            await service.WaitUntilServingAsync(url + "/health/ready");
        }
        catch
        {
            service.Dispose(); // the caller never gets it to stop
            throw;
        }
        return (service, url, database);
    }

    /// <summary>Waits for the process to end by itself and returns its exit code.</summary>
    public async Task<int> ExitCodeAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(cancel.Token);
        _process.WaitForExit(); // drains the output readers
        return _process.ExitCode;
    }

    /// <summary>Polls <paramref name="url"/> until it answers, failing with the process output if it never does.</summary>
    public async Task WaitUntilServingAsync(string url, TimeSpan? timeout = null)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.HoldsAsync(async () =>
        {
            if (_process.HasExited)
                Assert.Fail($"The service exited with {_process.ExitCode}:\n{Stdout}\n{Stderr}");
            return await Eventually.AnswersOkAsync(client, url);
        }, () => $"the service answering {url}:\n{Stdout}\n{Stderr}", timeout ?? TimeSpan.FromSeconds(90));
    }

    /// <summary>Sends SIGINT, as Ctrl-C in a terminal does.</summary>
    public void Interrupt() => Signal("INT");

    /// <summary>Sends SIGTERM, as a service manager (systemd, Kubernetes) does.</summary>
    public void Terminate() => Signal("TERM");

    void Signal(string name)
    {
        using var kill = Process.Start("kill", [$"-{name}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}

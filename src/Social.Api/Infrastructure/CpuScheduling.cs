using System.Runtime.InteropServices;

namespace Social.Api.Infrastructure;

/// <summary>
/// Runs the service's threads under Linux's <c>SCHED_BATCH</c> policy (BATCH_SCHEDULING, on by
/// default): the service is throughput work. A thread of that policy woken by a request, by a
/// database answer or by another of the service's threads does not preempt whatever runs on its
/// core; it runs when that task blocks or its time slice ends. So the cores switch tasks less often,
/// and each run answers more of what has arrived meanwhile.
/// Measured on this 2-core machine with PostgreSQL and wrk on the same cores (alternating A/B, 3-s
/// bursts): <c>GET /posts/{id}</c> +11 to +19 %, <c>GET /users/{id}</c> +12 %, cached pages and
/// writes unchanged, p99 unchanged. A bare Kestrel app gains as much (+14 %), so bench/run runs its
/// Kestrel ceiling under the same policy. The cost shows when something else keeps every core busy:
/// reads during a bcrypt flood had a p99 of 11.5 ms instead of 10-10.7.
/// Threads start with the policy of the thread that creates them, so once every thread has it,
/// every later one has it too. A policy other than the default one, set by an operator (chrt,
/// systemd's CPUSchedulingPolicy), is kept.
/// </summary>
static partial class CpuScheduling
{
    // linux/sched.h
    internal const int Other = 0; // SCHED_OTHER, the default
    internal const int Batch = 3; // SCHED_BATCH
    const int NoPriority = 0;     // struct sched_param: the only priority of both policies

    /// <summary>SCHED_BATCH unless BATCH_SCHEDULING is false; a warning when the threads could not be moved.</summary>
    public static void Apply(Settings settings, ILogger logger)
    {
        if (settings.BatchScheduling && !UseBatchPolicy())
            logger.LogWarning("BATCH_SCHEDULING: the service's threads could not all be moved to SCHED_BATCH");
    }

    /// <summary>Moves every thread of the process from the default policy to SCHED_BATCH; true when none is left on the default.</summary>
    internal static bool UseBatchPolicy()
    {
        if (!OperatingSystem.IsLinux())
            return false;
        try
        {
            // A pass can miss a thread started meanwhile by one not yet moved; the next pass finds it.
            for (var pass = 0; pass < 5; pass++)
            {
                var moved = 0;
                foreach (var thread in Threads())
                {
                    if (MoveToBatch(thread))
                        moved++;
                }
                if (moved == 0)
                    return Threads().All(thread => PolicyOf(thread) != Other);
            }
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // no /proc, or not glibc
        }
    }

    /// <summary>Moves one thread to SCHED_BATCH if it runs under the default policy; true when it was moved.</summary>
    internal static bool MoveToBatch(int thread) =>
        PolicyOf(thread) == Other && SetScheduler(thread, Batch, NoPriority) == 0;

    /// <summary>The thread's policy, or -1 when it has ended.</summary>
    internal static int PolicyOf(int thread) => GetScheduler(thread);

    static IEnumerable<int> Threads() =>
        Directory.EnumerateDirectories("/proc/self/task").Select(task => int.Parse(Path.GetFileName(task), System.Globalization.CultureInfo.InvariantCulture));

    // With a thread id, Linux applies these to that thread alone.
    [LibraryImport("libc", EntryPoint = "sched_getscheduler")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int GetScheduler(int thread);

    [LibraryImport("libc", EntryPoint = "sched_setscheduler")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int SetScheduler(int thread, int policy, in int priority);
}

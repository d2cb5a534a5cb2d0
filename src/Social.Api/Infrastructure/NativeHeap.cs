using System.Runtime.InteropServices;

namespace Social.Api.Infrastructure;

/// <summary>
/// Fixes glibc malloc's two thresholds at their defaults (128 KiB), as <c>MALLOC_MMAP_THRESHOLD_</c>
/// and <c>MALLOC_TRIM_THRESHOLD_</c> would. Left alone, glibc raises both each time a large block
/// is freed, after which large blocks come from the arenas and their memory stays with the
/// process; the runtime's threads (up to 16 arenas here) held 20-28 MB that way by the end of the
/// benchmark's timeline (every endpoint in bench/run's order and durations), and RSS only grew:
/// 198 MB at the end, 198-203 MB at the peak. Fixed here: 185 MB at the end, 194 MB at the peak
/// (the MALLOC_* variables: 185 and 190 MB). Nothing here allocates natively on a request's path
/// (managed code allocates on the GC heap), so mapping and unmapping large blocks costs nothing
/// measurable. An operator's own MALLOC_* settings win; elsewhere than glibc this does nothing.
/// </summary>
static partial class NativeHeap
{
    // glibc's malloc.h
    const int TrimThreshold = -1;   // M_TRIM_THRESHOLD
    const int MmapThreshold = -3;   // M_MMAP_THRESHOLD
    const int Threshold = 128 * 1024;

    /// <summary>Call first. True when this fixed the thresholds.</summary>
    public static bool FixThresholds()
    {
        if (!OperatingSystem.IsLinux() || OperatorSetMalloc(Environment.GetEnvironmentVariables().Keys.OfType<string>()))
            return false;
        try
        {
            return MallOpt(MmapThreshold, Threshold) == 1 && MallOpt(TrimThreshold, Threshold) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // not glibc
        }
    }

    /// <summary>Whether the environment already tunes malloc (GLIBC_TUNABLES or any MALLOC_ variable).</summary>
    internal static bool OperatorSetMalloc(IEnumerable<string> variables) =>
        variables.Any(name => name == "GLIBC_TUNABLES" || name.StartsWith("MALLOC_", StringComparison.Ordinal));

    [LibraryImport("libc", EntryPoint = "mallopt")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int MallOpt(int parameter, int value);
}

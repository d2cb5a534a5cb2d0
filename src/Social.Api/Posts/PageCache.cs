using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Social.Api.Data;
using Social.Api.Infrastructure;

namespace Social.Api.Posts;

/// <summary>
/// Pages of <c>GET /posts/</c> recently served, kept as the JSON bytes sent, so the hot pages of a
/// feed (the first page, a popular search) are answered without the database. Every change to
/// posts, votes or users ends the cache's current generation, and a page is only served from the
/// generation it was read in:
/// <list type="bullet">
/// <item>this instance's writes end it before their response is sent (<see cref="ChangesPosts"/>),
/// so a client always reads its own writes;</item>
/// <item>other instances' writes within about a tenth of a second (each instance announces its
/// own, batched, on <c>social_posts_changed</c>; see <see cref="ChangeListener"/>);</item>
/// <item>writes by other programs (the original after a rollback, an operator's SQL) when they
/// commit: a trigger announces them.</item>
/// </list>
/// A page read while a change was noticed is not kept; while the announcements cannot be heard,
/// every request reads the database. A page lives at most <see cref="Lifetime"/>: should an
/// instance die between a write and its announcement, the others' pages are that stale at worst.
/// PAGE_CACHE_MB bounds the memory; 0 turns the cache off.
/// </summary>
public sealed class PageCache : IDisposable
{
    readonly MemoryCache _pages;
    readonly ConcurrentDictionary<(Key, long Generation), Lazy<Task<byte[]>>> _reading = new();
    readonly long _largestPage;
    readonly JsonTypeInfo<List<PostWithVotes>> _json;
    long _generation;
    int _unannounced;
    volatile bool _listening;

    public PageCache(Settings settings, IOptions<JsonOptions> json)
    {
        var budget = Math.Max(settings.PageCacheBytes, 1);
        _pages = new MemoryCache(new MemoryCacheOptions { SizeLimit = budget });
        // One huge page must not push out the many small hot ones. (PAGE_CACHE_MB=0: nothing is kept.)
        _largestPage = settings.PageCacheBytes / 64;
        // The options every other response is written with, so a cached page is byte for byte what
        // the same request would get without the cache.
        _json = (JsonTypeInfo<List<PostWithVotes>>)json.Value.SerializerOptions.GetTypeInfo(typeof(List<PostWithVotes>));
    }

    /// <summary>How long a page may be served at most, announcements or not.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);

    public readonly record struct Key(string Search, int Skip, int Limit);

    sealed record Page(long Generation, byte[] Body);

    /// <summary>The page as JSON: from the cache when it is current, otherwise read by <paramref name="read"/>.</summary>
    public async Task<byte[]> GetAsync(Key key, Func<Task<List<PostWithVotes>>> read, CancellationToken cancellationToken)
    {
        var generation = Interlocked.Read(ref _generation);
        if (!_listening)
            return await ReadAsync(key, generation, read); // kept by no one
        if (_pages.TryGetValue(key, out Page? page) && page!.Generation == generation)
            return page.Body;

        // One read per page and generation: the requests that miss meanwhile wait for it. Otherwise,
        // after every change, each connection asking for a hot page sends the same query at once
        // (measured, 16 connections reading skip=50000 right after votes: p99 53 ms, and 2.3 ms with this).
        var mine = new Lazy<Task<byte[]>>(() => ReadAsync(key, generation, read));
        var reading = _reading.GetOrAdd((key, generation), mine);
        if (reading == mine)
        {
            try
            {
                return await mine.Value;
            }
            finally
            {
                _reading.TryRemove(new((key, generation), mine));
            }
        }
        try
        {
            return await reading.Value.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The read this request waited for was cancelled (its own client left): read for itself.
            // Any other failure (the database unavailable) is this request's answer too, at once.
            return await ReadAsync(key, generation, read);
        }
    }

    async Task<byte[]> ReadAsync(Key key, long generation, Func<Task<List<PostWithVotes>>> read)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(await read(), _json);
        // Kept only if nothing changed since the generation was taken (before the read began).
        if (_listening && body.Length <= _largestPage && Interlocked.Read(ref _generation) == generation)
            _pages.Set(key, new Page(generation, body), new MemoryCacheEntryOptions
            {
                Size = body.Length,
                // The bound on staleness if an instance dies between a write and its announcement.
                AbsoluteExpirationRelativeToNow = Lifetime,
            });
        return body;
    }

    /// <summary>Posts, votes or users changed (announced by the database or another instance).</summary>
    public void Changed() => Interlocked.Increment(ref _generation);

    /// <summary>This instance wrote: stale at once here, and to be announced to the other instances.</summary>
    public void ChangedHere()
    {
        Changed();
        Volatile.Write(ref _unannounced, 1);
    }

    /// <summary>True once per batch of this instance's writes since the last call.</summary>
    public bool TakeUnannounced() => Interlocked.Exchange(ref _unannounced, 0) == 1;

    /// <summary>Changes are being announced: the cache may be used.</summary>
    public void Listening()
    {
        Changed();
        _listening = true;
    }

    /// <summary>Changes could go unnoticed: every request reads the database.</summary>
    public void NotListening()
    {
        _listening = false;
        Changed();
        _pages.Clear();
    }

    public void Dispose() => _pages.Dispose();
}

public static class PageCacheEndpoints
{
    /// <summary>
    /// The endpoint writes posts or votes: the cached pages end when it has run (committed or not:
    /// a write whose answer was lost may still have committed), before its response is sent.
    /// </summary>
    public static RouteHandlerBuilder ChangesPosts(this RouteHandlerBuilder endpoint) =>
        endpoint.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            finally
            {
                context.HttpContext.RequestServices.GetRequiredService<PageCache>().ChangedHere();
            }
        });
}

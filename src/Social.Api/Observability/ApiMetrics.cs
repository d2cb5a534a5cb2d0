using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Social.Api.Auth;

namespace Social.Api.Observability;

/// <summary>
/// What the service does, as counters beside the framework's HTTP, runtime and connection-pool
/// series. Every label value a counter can take is reported from the start, at zero, so that
/// rates and alerts work before the first event.
/// </summary>
public sealed class ApiMetrics
{
    public const string MeterName = "Social.Api";

    public enum Login { Success, WrongPassword, UnknownAccount, Locked, Throttled }
    public enum Limit { Login, Registration, Hashing }
    public enum Unavailable { Database, Starting }
    public enum CacheLookup { Hit, Miss, Bypassed }
    public enum AccountChange { PasswordChanged, LoggedOut, Deleted }

    readonly Counter<long> _logins, _registrations, _votes, _posts, _throttled, _unavailable, _userCache, _accountChanges;

    public ApiMetrics(IMeterFactory meters, PasswordHasher passwords)
    {
        var meter = meters.Create(MeterName);
        _logins = meter.CreateCounter<long>("social.logins", "{login}", "Login attempts by outcome.");
        _registrations = meter.CreateCounter<long>("social.registrations", "{user}", "Accounts registered.");
        _votes = meter.CreateCounter<long>("social.votes", "{vote}", "Votes cast and removed.");
        _posts = meter.CreateCounter<long>("social.posts.created", "{post}", "Posts created.");
        _throttled = meter.CreateCounter<long>("social.throttled", "{response}", "429 answers by the limit that refused the request.");
        _unavailable = meter.CreateCounter<long>("social.unavailable", "{response}", "503 answers by cause: the database, or a start not yet finished.");
        _userCache = meter.CreateCounter<long>("social.user_cache.lookups", "{lookup}",
            "Lookups of a token's user or a profile: served from memory, read from the database, or read because the cache could not be trusted.");
        _accountChanges = meter.CreateCounter<long>("social.account_changes", "{change}", "Passwords changed, tokens logged out and accounts deleted by their users.");
        meter.CreateObservableGauge("social.password_hashing.queued", () => passwords.Queued, "{hash}", "Password hashes waiting for a slot.");
        meter.CreateObservableGauge("social.password_hashing.active", () => passwords.Active, "{hash}", "Password hashes running now.");

        foreach (var outcome in Enum.GetValues<Login>())
            _logins.Add(0, Tag(outcome));
        foreach (var limit in Enum.GetValues<Limit>())
            _throttled.Add(0, Tag(limit));
        foreach (var cause in Enum.GetValues<Unavailable>())
            _unavailable.Add(0, Tag(cause));
        foreach (var result in Enum.GetValues<CacheLookup>())
            _userCache.Add(0, Tag(result));
        foreach (var change in Enum.GetValues<AccountChange>())
            _accountChanges.Add(0, Tag(change));
        _registrations.Add(0);
        _votes.Add(0, VoteAction(true));
        _votes.Add(0, VoteAction(false));
        _posts.Add(0);
    }

    public void LoggedIn(Login outcome) => _logins.Add(1, Tag(outcome));
    public void Registered() => _registrations.Add(1);
    public void Voted(bool cast) => _votes.Add(1, VoteAction(cast));
    public void PostCreated() => _posts.Add(1);
    public void Throttled(Limit limit) => _throttled.Add(1, Tag(limit));
    public void Refused(Unavailable cause) => _unavailable.Add(1, Tag(cause));
    public void UserLookup(CacheLookup result) => _userCache.Add(1, Tag(result));
    public void AccountChanged(AccountChange change) => _accountChanges.Add(1, Tag(change));

    static KeyValuePair<string, object?> VoteAction(bool cast) => new("action", cast ? "cast" : "removed");

    // Label values in snake case, as Prometheus users write them; made once per enum.
    static KeyValuePair<string, object?> Tag<T>(T value) where T : struct, Enum => Label<T>.Tags[Unsafe.As<T, int>(ref value)];

    static class Label<T> where T : struct, Enum
    {
        static readonly string Name = typeof(T).Name switch { nameof(Login) => "outcome", nameof(Limit) => "limit", nameof(Unavailable) => "cause", nameof(AccountChange) => "change", _ => "result" };
        public static readonly KeyValuePair<string, object?>[] Tags =
            [.. Enum.GetNames<T>().Select(name => new KeyValuePair<string, object?>(Name, JsonNamingPolicy.SnakeCaseLower.ConvertName(name)))];
    }
}

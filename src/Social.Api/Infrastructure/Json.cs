using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Social.Api.Auth;
using Social.Api.Posts;
using Social.Api.Users;
using Social.Api.Votes;

namespace Social.Api.Infrastructure;

/// <summary>
/// Source-generated serializers for every contract type: snake_case names as the original sends
/// them, strict numbers, and timestamps in the original's form.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.Strict,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(ValidationErrorResponse))]
[JsonSerializable(typeof(MessageResponse))]
[JsonSerializable(typeof(Social.Api.Data.HealthResponse))]
[JsonSerializable(typeof(UserResponse))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(PostResponse))]
[JsonSerializable(typeof(PostWithVotes))]
[JsonSerializable(typeof(List<PostWithVotes>))]
[JsonSerializable(typeof(UserRequest))]
[JsonSerializable(typeof(PasswordChangeRequest))]
[JsonSerializable(typeof(AccountDeletionRequest))]
[JsonSerializable(typeof(PostRequest))]
[JsonSerializable(typeof(VoteRequest))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
public sealed partial class AppJsonContext : JsonSerializerContext;

/// <summary>
/// Writes instants as the original does: UTC with microseconds and a numeric offset
/// (<c>2026-11-26T08:17:24.841790+00:00</c>), which is what PostgreSQL's timestamptz holds.
/// </summary>
public sealed class UtcTimestampConverter : JsonConverter<DateTime>
{
    const string Format = "yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'";

    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTime.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);

    // Formatted straight into UTF-8 on the stack: no string per timestamp (a post has two).
    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options)
    {
        Span<byte> text = stackalloc byte[40];
        if (!value.ToUniversalTime().TryFormat(text, out var written, Format, CultureInfo.InvariantCulture))
            throw new FormatException($"{value:O} does not fit {Format}");
        writer.WriteStringValue(text[..written]);
    }
}

public static class JsonSetup
{
    public static IServiceCollection AddJsonContracts(this IServiceCollection services) =>
        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, AppJsonContext.Default);
            options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            options.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            options.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            options.SerializerOptions.Converters.Add(new UtcTimestampConverter());
        });
}

namespace Social.Api.Infrastructure;

/// <summary>
/// More expensive work (bcrypt) is waiting than the service accepts; answered 429 with
/// Retry-After so a login flood is turned away instead of starving everything else.
/// </summary>
public sealed class CapacityExceededException() : Exception("Too many requests are waiting for password hashing.");

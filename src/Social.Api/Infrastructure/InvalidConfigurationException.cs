namespace Social.Api.Infrastructure;

/// <summary>
/// A setting the service cannot start with. Program prints the message as one line and exits,
/// so a bad deployment fails at start-up instead of answering 500 later.
/// </summary>
public sealed class InvalidConfigurationException(string message) : Exception(message);

namespace Social.Api.Infrastructure.Validation;

/// <summary>
/// A handler argument that parsed itself from the request and kept its problems instead of
/// failing: <see cref="ValidationFilter"/> gathers the problems of all arguments into one 422,
/// as FastAPI lists every invalid path, query and body value together.
/// </summary>
public interface IValidatedInput
{
    IReadOnlyList<ValidationError> Errors { get; }
}

/// <summary>Answers 422 with every argument's problems before the handler runs.</summary>
public sealed class ValidationFilter : IEndpointFilter
{
    // Not async: valid requests go on to the handler without a frame of their own.
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        List<ValidationError>? errors = null;
        foreach (var argument in context.Arguments)
        {
            if (argument is IValidatedInput { Errors.Count: > 0 } input)
                (errors ??= []).AddRange(input.Errors);
        }
        return errors is null ? next(context) : ValueTask.FromResult<object?>(Problems.Unprocessable(errors));
    }
}

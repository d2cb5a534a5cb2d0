using System.Reflection;
using Microsoft.Extensions.Primitives;
using Social.Api.Infrastructure;
using Social.Api.Infrastructure.Validation;

namespace Social.Api.Auth;

/// <summary>
/// The OAuth2 password form of <c>POST /login</c> (urlencoded or multipart), read as FastAPI's
/// OAuth2PasswordRequestForm reads it: <c>username</c> carries the e-mail; an empty field counts
/// as missing; <c>grant_type</c>, when sent, must start with "password".
/// </summary>
public sealed class LoginForm : IValidatedInput
{
    LoginForm(string username, string password, IReadOnlyList<ValidationError> errors) =>
        (Username, Password, Errors) = (username, password, errors);

    public string Username { get; }
    public string Password { get; }
    public IReadOnlyList<ValidationError> Errors { get; }

    public static async ValueTask<LoginForm?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        IFormCollection form = FormCollection.Empty;
        var errors = new List<ValidationError>();
        if (context.Request.HasFormContentType)
        {
            try
            {
                form = await context.Request.ReadFormAsync(context.RequestAborted);
            }
            catch (Exception e) when (e is InvalidDataException or IOException and not BadHttpRequestException)
            {
                // A malformed or truncated form (multipart boundary, encoding) is the client's mistake.
                errors.Add(new(["body"], "the form body could not be parsed", "value_error.form"));
            }
        }

        var username = Field(form, "username", errors);
        var password = Field(form, "password", errors);
        var grantType = form["grant_type"];
        if (grantType.Count > 0 && !string.IsNullOrEmpty(grantType[^1]) && !grantType[^1]!.StartsWith("password", StringComparison.Ordinal))
            errors.Add(new(["body", "grant_type"], "string does not match regex \"password\"", "value_error.str.regex"));

        return new LoginForm(username, password, errors);
    }

    static string Field(IFormCollection form, string name, List<ValidationError> errors)
    {
        StringValues values = form[name];
        if (values.Count > 1)
            errors.Add(new(["body", name], "field given more than once", "value_error.duplicate"));
        else if (string.IsNullOrEmpty(values.ToString()))
            errors.Add(ValidationErrors.Missing("body", name));
        else if (values.ToString().Contains('\0', StringComparison.Ordinal))
            errors.Add(ValidationErrors.ContainsNul("body", name));
        else
            return values.ToString();
        return "";
    }
}

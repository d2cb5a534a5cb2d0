# The service's container image: docker build -t social-api .   (docs/deploying.md, section 3)
# Where no registry is reachable, pass locally made base images as SDK and BASE
# (scripts/container-base-images makes them; CI builds this very file that way).
ARG SDK=mcr.microsoft.com/dotnet/sdk:10.0
ARG BASE=mcr.microsoft.com/dotnet/runtime-deps:10.0

FROM ${SDK} AS build
WORKDIR /src
# The restore gets a layer of its own, so a code change does not download the packages again.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Social.Api/Social.Api.csproj src/Social.Api/
RUN dotnet restore src/Social.Api -r linux-x64
COPY src/Social.Api/ src/Social.Api/
# Self-contained, so the runtime image needs only the native libraries of runtime-deps; the OpenAPI
# document the build writes is the repository's reviewed copy, not needed in an image.
RUN dotnet publish src/Social.Api -c Release -r linux-x64 --self-contained --no-restore -o /app -p:OpenApiGenerateDocuments=false

FROM ${BASE}
# Microsoft's runtime-deps image has the unprivileged user app (uid 1654); a base without it gets the
# same user here, so the service never runs as root on either.
RUN getent passwd 1654 >/dev/null || useradd --uid 1654 --user-group --create-home --shell /usr/sbin/nologin app
WORKDIR /app
COPY --from=build /app ./
USER 1654
# Every interface of the container, on the original's port; runtime-deps' own default (port 8080) is
# cleared. Neither image has Kerberos libraries: without PGGSSENCMODE=disable, Npgsql would try GSS
# encryption on every new connection and print "Cannot load library libgssapi_krb5.so.2".
ENV ASPNETCORE_URLS=http://+:8000 \
    ASPNETCORE_HTTP_PORTS= \
    PGGSSENCMODE=disable
EXPOSE 8000
# The image has no curl: the service probes its own /health/live (exit 0 when it answers 200).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["/app/Social.Api", "healthcheck"]
# Arguments go to the service: docker run … social-api migrate applies the migrations and exits.
ENTRYPOINT ["/app/Social.Api"]

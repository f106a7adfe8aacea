# Faust.NET server image. Build: docker build -t faust-net .   Run: docker run -p 6066:6066 faust-net
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig Faust.sln appsettings.json ./
COPY Faust.Core/Faust.Core.csproj Faust.Core/
COPY Faust.Web/Faust.Web.csproj Faust.Web/
RUN dotnet restore Faust.Web/Faust.Web.csproj
COPY Faust.Core/ Faust.Core/
COPY Faust.Web/ Faust.Web/
COPY wwwroot/ wwwroot/
RUN dotnet publish Faust.Web/Faust.Web.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app ./
# State (embedded broker, tables) lives in a volume; workers on Kafka set Faust__Broker=kafka://host:9092.
ENV ASPNETCORE_URLS=http://+:6066 \
    Faust__DataDirectory=/data
VOLUME /data
EXPOSE 6066
# Probes: GET /healthz (live) and GET /readyz (tables recovered).
ENTRYPOINT ["dotnet", "Faust.Web.dll"]

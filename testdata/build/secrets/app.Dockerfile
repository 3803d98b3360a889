FROM mcr.microsoft.com/dotnet/aspnet:8.0-jammy-chiseled@sha256:6a9c2f5e8b1d4a7c0f3e6b9d2a5c8f1e4b7d0a3c6f9e2b5d8a1c4f7e0b3d6a9c
ARG NUGET_API_KEY=oy2kzq3x7v
#   ^ BLD005
ENV ASPNETCORE_URLS=http://+:8080 \
    ConnectionStrings__Db="Server=db;Password=hunter2" \
#   ^ BLD005
    DB_PASSWORD=
COPY certs/server.pfx /app/certs/
#    ^ BLD005
COPY appsettings.json /app/
# aksguard:ignore BLD005 -- a throwaway development key, rotated on every build
COPY dev/id_rsa /root/.ssh/
#    ^ BLD005 suppressed

namespace Faust.App;

// A worker's id must be stable across restarts (a restarted worker reuses its transactional.id, which fences
// the zombie it replaces) and unique among the workers of an app (two workers with one transactional.id fence
// each other forever). Host name + port fails the second rule behind NAT or in containers that share a host
// name pattern, and Faust.Core does not know the HTTP port; a random id kept in the data directory, which holds
// all of a worker's state anyway, satisfies both.
internal static class WorkerIdentity
{
    public const string FileName = "worker-id";

    public static string Resolve(FaustOptions options, bool persist)
    {
        if (!string.IsNullOrWhiteSpace(options.WorkerId))
        {
            return options.WorkerId.Trim();
        }

        if (!persist)
        {
            return NewId();
        }

        var directory = options.ResolvedDataDirectory;
        var path = Path.Combine(directory, FileName);
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } existing)
        {
            return existing;
        }

        Directory.CreateDirectory(directory);
        var id = NewId();
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, id);
        File.Move(temporary, path, overwrite: true);
        return id;
    }

    private static string NewId() => Guid.NewGuid().ToString("N")[..12];
}

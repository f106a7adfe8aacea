namespace Faust.App;

/// <summary>The settings of a Faust.NET app, bound from the <c>Faust</c> configuration section.</summary>
/// <remarks>Every setting can come from appsettings.json, an environment variable (<c>Faust__Broker=...</c>)
/// or the command line (<c>--Faust:Broker=...</c>). <see cref="Validate"/> lists what is wrong, naming the setting.</remarks>
public sealed class FaustOptions
{
    /// <summary>The configuration section the options bind from.</summary>
    public const string SectionName = "Faust";

    /// <summary>The app id (Faust's <c>id</c>): the consumer group and the prefix of internal topics. Default <c>faust</c>.</summary>
    public string Id { get; set; } = "faust";

    /// <summary>The app version. Above 1 it is part of the consumer group (<c>{id}-v{version}</c>) and of the data
    /// directory, so bumping it starts from scratch, as in Faust. Default 1.</summary>
    public int Version { get; set; } = 1;

    /// <summary>Where the broker is: <c>memory://</c> (volatile, in process), <c>embedded://[dir]</c> (in process and
    /// durable; without a dir it lives under <see cref="DataDirectory"/>) or <c>kafka://host:port[,host:port]</c>.
    /// Default <c>embedded://</c>.</summary>
    public string Broker { get; set; } = "embedded://";

    /// <summary>Where the worker keeps its state (embedded broker, table stores). Relative paths are relative to the
    /// working directory. Default <c>{Id}-data</c>, as Faust's <c>datadir</c>.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Where tables keep their local state: <c>memory://</c> (rebuilt from the changelog at every start; the
    /// default, as in Faust) or <c>rocksdb://</c> (on disk under <see cref="DataDirectory"/>, so a restart reads only
    /// the changelog written since the last commit).</summary>
    public string Store { get; set; } = "memory://";

    /// <summary>Tuning of the RocksDB stores (<c>Faust:RocksDb</c>).</summary>
    public Stores.RocksDbStoreOptions RocksDb { get; set; } = new();

    /// <summary>True when <see cref="Store"/> is <c>rocksdb://</c>.</summary>
    public bool UsesRocksDb => string.Equals(Store?.Trim().TrimEnd('/'), "rocksdb:", StringComparison.OrdinalIgnoreCase);

    /// <summary>Where RocksDB table stores live: <c>{DataDirectory}/v{Version}/tables</c>, as Faust's <c>tabledir</c>.</summary>
    public string TableDirectory => Path.Combine(ResolvedDataDirectory, $"v{Version}", "tables");

    /// <summary>The URL other workers and clients use to reach this worker. Default: the server's own address.</summary>
    public string? CanonicalUrl { get; set; }

    /// <summary>How often a worker republishes its assignment to the assignor topic <c>{group}-__assignor</c> even when it
    /// has not changed. A worker not heard from for three intervals (it crashed without saying goodbye) is dropped
    /// from every other worker's cluster view, so its old partitions stop reading as contested. Default 10 s.</summary>
    public TimeSpan ClusterHeartbeat { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Partition count of topics the app declares without an explicit count, changelogs included. Default 8.</summary>
    public int TopicPartitions { get; set; } = 8;

    /// <summary><c>at_least_once</c> (default) or <c>exactly_once</c>.</summary>
    public string ProcessingGuarantee { get; set; } = "at_least_once";

    /// <summary>How often processed offsets are committed (Faust's <c>broker_commit_interval</c>). Default 2.8 s.</summary>
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromSeconds(2.8);

    /// <summary>How long an assigned partition may have events waiting while its committed offset does not move
    /// before the worker reports it as stalled (Faust's <c>broker_commit_livelock_soft_timeout</c>): a warning in
    /// the log, the partition marked on the dashboard and in <c>/metrics</c>, and <c>/healthz</c> degraded. An agent
    /// stuck in one event, or a partition the worker stopped reading, shows up here. Default 5 minutes.</summary>
    public TimeSpan CommitLivelockSoftTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Records buffered per partition and agent before the partition is paused (Faust's
    /// <c>stream_buffer_maxsize</c>). Default 4096.</summary>
    public int StreamBufferMaxSize { get; set; } = 4096;

    /// <summary>This worker's id within the app: part of the transactional id under exactly_once
    /// (<c>{group}-{WorkerId}</c>) and of the Kafka client id. Letters, digits, '.', '_' and '-'.
    /// Default: a random id generated on first start and kept in <c>{DataDirectory}/worker-id</c>, so a restarted
    /// worker keeps its id (and fences its own zombie) while two workers never share one; with <c>memory://</c> it
    /// is not persisted.</summary>
    public string? WorkerId { get; set; }

    /// <summary>Settings of the <c>kafka://</c> transport (<c>Faust:Kafka</c>): librdkafka pass-through
    /// properties, static membership, replication factor.</summary>
    public KafkaOptions Kafka { get; set; } = new();

    /// <summary>The topic this worker reads the replies to its requests from (Faust's <c>reply_to</c>). Default none:
    /// a topic <c>f-reply-{uuid}</c> of its own, created at the first request. Set it where the broker does not let
    /// the worker create topics, to a topic created beforehand; give each worker its own (a shared one works, but each
    /// worker then reads every worker's replies).</summary>
    public string? ReplyTopic { get; set; }

    /// <summary>Distinct table keys whose changelog records are held between commits (Kafka Streams' record
    /// cache): a key written many times between two commits sends one changelog record, its last value. Reaching the
    /// size sends them early. 0 writes every change at once. Default 10000.</summary>
    public int ChangelogBufferSize { get; set; } = 10_000;

    /// <summary>How many other workers keep a standby replica of each table partition (Faust's
    /// <c>table_standby_replicas</c>): they apply its changelog continuously, so when its owner fails the new owner
    /// recovers only the tail. The standbys of a partition are the workers after its owner in worker-id order. 0 turns
    /// standbys off. Default 1.</summary>
    public int TableStandbyReplicas { get; set; } = 1;

    /// <summary>The consumer group: <see cref="Id"/>, with <c>-v{Version}</c> when the version is above 1.</summary>
    public string GroupId => Version > 1 ? $"{Id}-v{Version}" : Id;

    /// <summary>The data directory with its default applied.</summary>
    public string ResolvedDataDirectory => Path.GetFullPath(string.IsNullOrWhiteSpace(DataDirectory) ? $"{Id}-data" : DataDirectory);

    /// <summary>The parsed <see cref="ProcessingGuarantee"/>.</summary>
    public ProcessingGuarantee Guarantee => ParseGuarantee(ProcessingGuarantee) ?? App.ProcessingGuarantee.AtLeastOnce;

    /// <summary>Checks every setting.</summary>
    /// <returns>One message per bad setting, naming it and what it accepts; empty when all are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Id) || Id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')))
        {
            errors.Add($"Faust:Id '{Id}' is not valid: use letters, digits, '.', '_' and '-' (it names Kafka topics and the consumer group).");
        }

        if (Version < 1)
        {
            errors.Add($"Faust:Version {Version} is not valid: use 1 or more.");
        }

        if (!Transport.BrokerUrl.TryParse(Broker, out _, out var brokerError))
        {
            errors.Add(brokerError!);
        }

        if (!UsesRocksDb && !string.Equals(Store?.Trim().TrimEnd('/'), "memory:", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"Faust:Store '{Store}' is not valid: use memory:// or rocksdb://.");
        }

        errors.AddRange(RocksDb.Validate());

        if (CanonicalUrl is { Length: > 0 } && !(Uri.TryCreate(CanonicalUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
        {
            errors.Add($"Faust:CanonicalUrl '{CanonicalUrl}' is not valid: use an absolute http:// or https:// URL such as http://worker-1:6066.");
        }

        if (ReplyTopic is { } reply && (reply.Length is 0 or > 249 || !reply.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')))
        {
            errors.Add($"Faust:ReplyTopic '{ReplyTopic}' is not valid: use a Kafka topic name (letters, digits, '.', '_' and '-'), or leave it out for f-reply-{{uuid}}.");
        }

        if (TopicPartitions is < 1 or > 10_000)
        {
            errors.Add($"Faust:TopicPartitions {TopicPartitions} is not valid: use 1 to 10000.");
        }

        if (ParseGuarantee(ProcessingGuarantee) is null)
        {
            errors.Add($"Faust:ProcessingGuarantee '{ProcessingGuarantee}' is not valid: use at_least_once or exactly_once.");
        }

        if (CommitInterval <= TimeSpan.Zero || CommitInterval > TimeSpan.FromHours(1))
        {
            errors.Add($"Faust:CommitInterval '{CommitInterval}' is not valid: use a duration above 0 and at most 01:00:00, such as 00:00:02.8.");
        }

        if (CommitLivelockSoftTimeout < TimeSpan.FromSeconds(1) || CommitLivelockSoftTimeout > TimeSpan.FromDays(1))
        {
            errors.Add($"Faust:CommitLivelockSoftTimeout '{CommitLivelockSoftTimeout}' is not valid: use a duration from 00:00:01 to 1.00:00:00, such as 00:05:00.");
        }

        if (ClusterHeartbeat <= TimeSpan.Zero || ClusterHeartbeat > TimeSpan.FromHours(1))
        {
            errors.Add($"Faust:ClusterHeartbeat '{ClusterHeartbeat}' is not valid: use a duration above 0 and at most 01:00:00, such as 00:00:10.");
        }

        if (ChangelogBufferSize < 0)
        {
            errors.Add($"Faust:ChangelogBufferSize {ChangelogBufferSize} is not valid: use 0 (write every change at once) or more.");
        }

        if (TableStandbyReplicas is < 0 or > 100)
        {
            errors.Add($"Faust:TableStandbyReplicas {TableStandbyReplicas} is not valid: use 0 (no standbys) to 100; the default is 1.");
        }

        if (StreamBufferMaxSize < 1)
        {
            errors.Add($"Faust:StreamBufferMaxSize {StreamBufferMaxSize} is not valid: use 1 or more.");
        }

        if (WorkerId is { Length: > 0 } workerId && workerId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')))
        {
            errors.Add($"Faust:WorkerId '{workerId}' is not valid: use letters, digits, '.', '_' and '-' (it is part of the Kafka transactional id).");
        }

        (Kafka ?? new KafkaOptions()).Validate(errors);
        return errors;
    }

    /// <summary>A copy of every setting.</summary>
    internal FaustOptions Clone() => (FaustOptions)MemberwiseClone();

    /// <summary>Throws an <see cref="InvalidOperationException"/> listing every bad setting.</summary>
    public void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Faust.NET cannot start: " + string.Join(" ", errors));
        }
    }

    private static ProcessingGuarantee? ParseGuarantee(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "at_least_once" or "atleastonce" or "at-least-once" => App.ProcessingGuarantee.AtLeastOnce,
        "exactly_once" or "exactlyonce" or "exactly-once" => App.ProcessingGuarantee.ExactlyOnce,
        _ => null,
    };
}

namespace Faust.Stores;

/// <summary>One changelog record as a store applies it: a key (null: the record only advances the offset), a value
/// (null: delete) and the record's changelog offset.</summary>
internal readonly record struct ChangelogEntry(byte[]? Key, byte[]? Value, long Offset);

using Faust.Processing;
using Faust.Runtime;

namespace Faust.Streams;

/// <summary>Why a record could not be decoded: the stage (a <see cref="DeadLetterHeaders"/> stage value) and the error.</summary>
internal readonly record struct DecodeFailure(string Stage, Exception Error);

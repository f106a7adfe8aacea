namespace Faust.Web.Endpoints;

// POST /topics/{name}: where the record landed.
internal sealed record ProduceResponse(string Topic, int Partition, long Offset);

using System.Text.Json;

namespace Faust.Web.Endpoints;

// The body of POST /topics/{name}, for the OpenAPI document: the handler reads the body itself (size limit,
// errors that name the field).
internal sealed record ProduceRequest(JsonElement? Key, JsonElement Value);

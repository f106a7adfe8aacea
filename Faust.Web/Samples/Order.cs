using System.ComponentModel.DataAnnotations;
using Faust.Records;

namespace Faust.Web.Samples;

/// <summary>An order placed by an account: the value of the <c>orders</c> topic in the sample app.</summary>
/// <remarks>
/// A Faust record: on the wire it is the JSON a Python Faust app writes for
/// <c>class Order(faust.Record, namespace="orders.Order")</c> with the same fields (snake_case, decimals as strings,
/// ending with <c>"__faust": {"ns": "orders.Order"}</c>), so both can share the topic. Records are validated as they
/// are decoded: an order with an empty account or a non-positive amount goes to the agent's dead-letter topic, and
/// <c>POST /topics/orders</c> answers it with 400.
/// </remarks>
/// <param name="AccountId">The account that placed the order; the topic's key.</param>
/// <param name="InstrumentId">What was ordered.</param>
/// <param name="Amount">How many units; above zero.</param>
/// <param name="Value">The order's total value.</param>
[FaustRecord("orders.Order", Validation = true)]
public sealed record Order(
    [property: Required(AllowEmptyStrings = false)] string AccountId,
    [property: Required(AllowEmptyStrings = false)] string InstrumentId,
    [property: Range(typeof(decimal), "0.000001", "1000000000")] decimal Amount,
    decimal Value);

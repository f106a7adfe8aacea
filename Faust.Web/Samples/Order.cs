namespace Faust.Web.Samples;

/// <summary>An order placed by an account: the value of the <c>orders</c> topic in the sample app.</summary>
/// <param name="AccountId">The account that placed the order; the topic's key.</param>
/// <param name="InstrumentId">What was ordered.</param>
/// <param name="Amount">How many units.</param>
/// <param name="Value">The order's total value.</param>
public sealed record Order(string AccountId, string InstrumentId, double Amount, double Value);

using Faust.Records;

namespace Faust.Core.Tests.Serialization.Interop;

// The C# side of Fixtures/README.md's bank.py: an abstract event with two kinds, and a record holding a list of them.

public abstract record BankEvent(string AccountId);

[FaustRecord("bank.Deposit")]
public sealed record Deposit(string AccountId, decimal Amount) : BankEvent(AccountId);

[FaustRecord("bank.Withdrawal")]
public sealed record Withdrawal(string AccountId, decimal Amount, string? Atm = null) : BankEvent(AccountId);

[FaustRecord("bank.Statement")]
public sealed record Statement(string AccountId, IReadOnlyList<BankEvent> Events, DateTimeOffset Opened);

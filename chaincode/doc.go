// Package chaincode holds the idchain contracts: system, registry, trace,
// public (this package's core) and quality, sharing. Transaction functions
// are thin: decode, check access (caller.go, access helpers), validate with
// domain/ and identifier/, then read and write the keys defined in keys.go.
//
// Rules every contract follows:
//   - time and ids come from the transaction (txTime, GetTxID), never the
//     clock or randomness;
//   - outputs and writes are built from slices in input or key order, never
//     by ranging over a map;
//   - every write transaction ends with exactly one emit call (events.go);
//   - errors crossing the boundary are *domain.Error ("CODE: message");
//   - exported transaction functions return (string, error) via out(...)
//     around a typed lower-case implementation (see api.go): contract-api's
//     reflection schema rejects *float64 and generic types at NewChaincode
//     and validates every struct response (costly for big batches);
//   - transactions that write may not use paginated range reads (the peer
//     refuses them; fakestub too).
package chaincode

package domain

import (
	"slices"
	"strconv"
	"strings"
)

// Packed units. A lot, batch or panel may be registered with Units = n: its
// n units (boards of a panel) exist from that transaction on without a
// ledger key of their own. Unit i of lot L is the identifier "L~i"
// (i = 1..n, decimal, no leading zeros, so each unit has exactly one id);
// its record is read from the lot's. A unit gets a key of its own only
// when something changes it alone (a shipment, an inspection, a release),
// created then under the lot owner's anchor. This replaces n item keys, n
// state-based policies and n index entries by one record per lot.

// PackedSep separates a lot's id from a packed unit's number. Registered
// ids may not contain it, so a packed unit's id is never also the id of an
// item registered on its own.
const PackedSep = "~"

// MaxPackedUnits is the most units one lot record may hold.
const MaxPackedUnits = 1_000_000

// PackedUnitID is the id of unit n of the lot lotID.
func PackedUnitID(lotID string, n int) string {
	return lotID + PackedSep + strconv.Itoa(n)
}

// SplitPackedUnit splits a packed unit's id into its lot's id and its
// number; ok is false for any other id (no separator, a number with a
// leading zero or sign, 0, or above MaxPackedUnits).
func SplitPackedUnit(id string) (lotID string, n int, ok bool) {
	i := strings.LastIndex(id, PackedSep)
	if i <= 0 || i == len(id)-1 {
		return "", 0, false
	}
	num := id[i+1:]
	if num[0] == '0' || len(num) > 7 {
		return "", 0, false
	}
	for _, c := range num {
		if c < '0' || c > '9' {
			return "", 0, false
		}
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || n > MaxPackedUnits {
		return "", 0, false
	}
	return id[:i], n, true
}

// PackedKind is the kind of the units a lot of kind k in industry ind
// holds: units of a lot or batch, boards of a panel (or of a PCB lot);
// ok is false for kinds that do not hold packed units.
func PackedKind(ind Industry, k Kind) (Kind, bool) {
	allowed := Industries[ind].Kinds
	switch k {
	case KindPanel:
		return KindBoard, slices.Contains(allowed, KindBoard)
	case KindLot, KindBatch:
		for _, u := range []Kind{KindUnit, KindBoard} {
			if slices.Contains(allowed, u) {
				return u, true
			}
		}
	}
	return "", false
}

// PackedUnit is the record of unit n of lot, read from the lot's record:
// owner, model, industry, GTIN, lot and attributes of the lot, serial n,
// parent the lot, registered by the lot's transaction.
func PackedUnit(lot Item, n int) Item {
	kind, _ := PackedKind(lot.Industry, lot.Kind)
	return Item{
		ID: PackedUnitID(lot.ID, n), Kind: kind, Industry: lot.Industry, Owner: lot.Owner,
		Model: lot.Model, GTIN: lot.GTIN, Lot: lot.Lot, Serial: strconv.Itoa(n), Parent: lot.ID,
		Attributes: lot.Attributes, Status: StatusRegistered, CreatedAt: lot.CreatedAt, TxID: lot.TxID,
		Packed: true,
	}
}

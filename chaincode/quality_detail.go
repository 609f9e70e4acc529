package chaincode

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/domain"
)

// TransientDetail is the transient field that carries private detail bytes;
// TransientSalt the record's random salt (domain.MinSalt..MaxSalt bytes;
// absent: an unsalted hash, kept for detail hashed before salting).
const (
	TransientDetail = "detail"
	TransientSalt   = "salt"
)

// maxDetail bounds one private detail record.
const maxDetail = 4 << 20

// DetailResult is what StoreDetail and DeclareDetail return: the hash only.
type DetailResult struct {
	Hash string `json:"hash"`
}

// declareDetail records on the public item the hex SHA-256 of a category's
// private detail, for categories no other function hashes (inspection
// detail gets its hash from RecordInspection). Owner operator/qa/admin.
func (c *QualityContract) declareDetail(ctx contractapi.TransactionContextInterface, id, category, hash string) (*DetailResult, error) {
	caller, err := requireRole(ctx, domain.Writers("quality:DeclareDetail")...)
	if err != nil {
		return nil, err
	}
	cat, err := parseCategory(category)
	if err != nil {
		return nil, err
	}
	h, err := normHash(hash, false)
	if err != nil {
		return nil, err
	}
	stub := ctxStub(ctx)
	item, itemKey, err := loadOwnedItem(stub, caller, id, "declare detail of")
	if err != nil {
		return nil, err
	}
	if item.UpdatedAt, _, err = stamp(stub); err != nil {
		return nil, err
	}
	setDetailHash(&item, cat, h)
	if err := writeItem(stub, nil, itemKey, &item); err != nil {
		return nil, err
	}
	return &DetailResult{Hash: h}, emit(ctx, EvDetailStored, item.ID)
}

// storeDetail writes the transient "detail" bytes of an item into the
// owner's implicit collection only, after checking that their SHA-256
// equals the hash on the public item record. It writes no public key: a
// transaction cannot need both the owner-only and the majority policy
// (fabric#3328), so the public hash is recorded by its own transaction
// first. Run it on the owner's peer only.
func (c *QualityContract) storeDetail(ctx contractapi.TransactionContextInterface, id, category string) (*DetailResult, error) {
	item, cat, err := ownedDetail(ctx, id, category, "store detail of", domain.Writers("quality:StoreDetail")...)
	if err != nil {
		return nil, err
	}
	stub := ctxStub(ctx)
	tm, err := stub.GetTransient()
	if err != nil {
		return nil, domain.Errorf(domain.CodeInvalid, "transient data unreadable")
	}
	data := tm[TransientDetail]
	if len(data) == 0 || len(data) > maxDetail {
		return nil, domain.Errorf(domain.CodeInvalid, "transient field %q must hold 1 byte to %d MiB", TransientDetail, maxDetail>>20)
	}
	salt := tm[TransientSalt]
	if len(salt) > 0 && (len(salt) < domain.MinSalt || len(salt) > domain.MaxSalt) {
		return nil, domain.Errorf(domain.CodeInvalid, "transient field %q must hold %d-%d bytes", TransientSalt, domain.MinSalt, domain.MaxSalt)
	}
	want := item.DetailHashes[string(cat)]
	if want == "" {
		return nil, domain.Errorf(domain.CodeConflict, "%s has no public %s hash yet; record it first", item.ID, cat)
	}
	if got := domain.DetailHash(salt, data); got != want {
		return nil, domain.Errorf(domain.CodeConflict, "detail (with its salt) does not match the public %s hash of %s", cat, item.ID)
	}
	k, err := DetailKey(cat, item.ID)
	if err != nil {
		return nil, err
	}
	sk, err := SaltKey(cat, item.ID)
	if err != nil {
		return nil, err
	}
	coll := ImplicitCollection(item.Owner)
	if err := stub.PutPrivateData(coll, k, data); err != nil {
		return nil, domain.Errorf(domain.CodeUnavailable, "private data write refused")
	}
	if len(salt) > 0 {
		err = stub.PutPrivateData(coll, sk, salt)
	} else {
		err = stub.DelPrivateData(coll, sk)
	}
	if err != nil {
		return nil, domain.Errorf(domain.CodeUnavailable, "private data write refused")
	}
	return &DetailResult{Hash: want}, emit(ctx, EvDetailStored, item.ID)
}

// ownedDetail starts a function on the private detail of an item: the
// caller has one of roles, category is known and the caller's org owns item
// id (verb names the act in the FORBIDDEN error).
func ownedDetail(ctx contractapi.TransactionContextInterface, id, category, verb string, roles ...string) (domain.Item, domain.Category, error) {
	caller, err := requireRole(ctx, roles...)
	if err != nil {
		return domain.Item{}, "", err
	}
	cat, err := parseCategory(category)
	if err != nil {
		return domain.Item{}, "", err
	}
	item, _, err := loadOwnedItem(ctxStub(ctx), caller, id, verb)
	return item, cat, err
}

// parseCategory validates a shareable category name.
func parseCategory(s string) (domain.Category, error) {
	cat := domain.Category(s)
	if !domain.KnownCategory(cat) {
		return "", domain.Errorf(domain.CodeInvalid, "category %q is unknown", s)
	}
	return cat, nil
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

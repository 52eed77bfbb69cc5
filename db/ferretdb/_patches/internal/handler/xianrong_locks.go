// Xianrong patch: a new file in FerretDB v1.24.2's internal/handler package.

package handler

import (
	"sync"

	"github.com/FerretDB/wire"

	"github.com/FerretDB/FerretDB/internal/bson"
)

// Write commands lock the one collection they write (Xianrong patch).
//
// Why a lock at all: upstream, update, delete and findAndModify read the matching documents and
// then write them back (or delete them) by _id without re-checking the filter, and insert checks
// nothing across statements either. Two concurrent `findOneAndUpdate({status: 'open'}, ...)` both
// "won", and concurrent `$inc` updates were lost. Holding a lock for the whole command makes each
// write command atomic with respect to the other write commands.
//
// Why per collection is enough: every such command reads and writes documents of exactly one
// collection (the command's namespace), so two write commands can only interfere when they name
// the same collection. Commands on different collections run in parallel (SQLite still serialises
// the actual writes per database file, for a short moment each). Reads take no lock, as upstream.
//
// dropDatabase and renameCollection (which names two namespaces, possibly in two databases) take
// the global lock exclusively; every collection-scoped write holds it shared, so they wait for
// each other. A command whose target cannot be read also takes the global lock.
var (
	xianrongGlobalLock sync.RWMutex
	xianrongCollLocks  sync.Map // "db\x00collection" -> *sync.Mutex
)

// xianrongLockFor takes the lock the write command in msg needs and returns its unlock function.
func xianrongLockFor(msg *wire.OpMsg) func() {
	db, coll, ok := xianrongNamespace(msg)
	if !ok {
		xianrongGlobalLock.Lock()
		return xianrongGlobalLock.Unlock
	}

	xianrongGlobalLock.RLock()

	m, _ := xianrongCollLocks.LoadOrStore(db+"\x00"+coll, new(sync.Mutex))
	mu := m.(*sync.Mutex)
	mu.Lock()

	return func() {
		mu.Unlock()
		xianrongGlobalLock.RUnlock()
	}
}

// xianrongNamespace returns the database and collection a collection-scoped write command names.
// It returns ok = false for dropDatabase, renameCollection and anything it cannot read.
func xianrongNamespace(msg *wire.OpMsg) (db, coll string, ok bool) {
	doc, err := bson.ToDocument(msg.RawSection0())
	if err != nil || doc.Len() == 0 {
		return "", "", false
	}

	switch cmd := doc.Command(); cmd {
	case "dropDatabase", "renameCollection":
		return "", "", false
	default:
		v, _ := doc.Get(cmd)
		if coll, ok = v.(string); !ok || coll == "" {
			return "", "", false
		}
	}

	v, _ := doc.Get("$db")
	if db, ok = v.(string); !ok {
		return "", "", false
	}

	return db, coll, true
}

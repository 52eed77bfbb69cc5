// Xianrong patch: a new file in FerretDB v1.24.2's internal/backends package.

package backends

import (
	"context"

	"github.com/FerretDB/FerretDB/internal/types"
)

// XianrongFieldSorter is implemented by backends whose Query accepts sorts on top-level fields
// (QueryParams.Sort other than $natural). Query may still ignore such a sort; it sets
// QueryResult.SortPushedDown when it applied it.
type XianrongFieldSorter interface {
	XianrongFieldSort()
}

// XianrongCounter is implemented by backends that can count the documents matching a filter
// without reading them. ok is false when they cannot do it exactly for that filter; the caller
// then counts the usual way.
type XianrongCounter interface {
	XianrongCount(ctx context.Context, filter *types.Document) (n int64, ok bool, err error)
}

// xianrongFieldSortParams checks a field sort and drops it if the backend does not take one.
func xianrongFieldSortParams(c Collection, params *QueryParams) *QueryParams {
	if _, ok := c.(XianrongFieldSorter); ok {
		for _, k := range params.Sort.Keys() {
			v := params.Sort.Map()[k].(int64)
			if v != -1 && v != 1 {
				panic("sort value must be 1 (for ascending) or -1 (for descending)")
			}
		}

		return params
	}

	p := *params
	p.Sort = nil

	return &p
}

// XianrongCount counts the documents matching filter if the backend can do it exactly.
func (cc *collectionContract) XianrongCount(ctx context.Context, filter *types.Document) (int64, bool, error) {
	c, ok := cc.c.(XianrongCounter)
	if !ok {
		return 0, false, nil
	}

	n, ok, err := c.XianrongCount(ctx, filter)
	checkError(err)

	return n, ok, err
}

// XianrongFilterCheck, set by the handler package (which owns FerretDB's filter), returns the error
// FerretDB's filter gives for filter, checked once against an empty document. Upstream reports an
// invalid filter (e.g. an `$and` entry that is not a document) only while filtering rows it read;
// a backend that pushes conditions down may read no row at all, so it calls this first and
// answers with the same error instead of an empty result.
var XianrongFilterCheck func(filter *types.Document) error

// XianrongRegexesValid, set by the handler package, reports whether every regex in filter is one
// FerretDB's filter accepts. Upstream refuses a bad regex only when a row's evaluation reaches it,
// so for a filter with one the backend pushes nothing and reads the rows upstream reads.
var XianrongRegexesValid func(filter *types.Document) bool

// Xianrong patch: a new file in FerretDB v1.24.2's internal/handler package.

package handler

import (
	"strings"

	"github.com/FerretDB/FerretDB/internal/backends"
	"github.com/FerretDB/FerretDB/internal/handler/common"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// The backends cannot import the handler's filter (it imports them), so the handler lends it.
func init() {
	backends.XianrongFilterCheck = func(filter *types.Document) error {
		_, err := common.FilterDocument(must.NotFail(types.NewDocument()), filter)
		return err
	}
	backends.XianrongRegexesValid = func(filter *types.Document) bool {
		return xianrongCheckRegexes(filter) == nil
	}
}

// xianrongCheckRegexes evaluates, one field at a time, every top-level field condition that holds
// a regex (also inside $and, $or and $nor) against a document whose field is an empty string, and
// returns upstream's error for a regex it would refuse ('x' is not implemented, an unknown flag, a
// bad pattern). Upstream reports such a regex only when a row's evaluation reaches it, so whether
// it errs depends on the rows it reads; the backend pushes nothing for such a filter and reads
// exactly the rows upstream reads. Each condition is checked alone, so another field's condition
// cannot end the evaluation early.
func xianrongCheckRegexes(filter *types.Document) error {
	for _, k := range filter.Keys() {
		v := must.NotFail(filter.Get(k))

		switch k {
		case "$and", "$or", "$nor":
			arr, ok := v.(*types.Array)
			if !ok {
				continue
			}

			for i := 0; i < arr.Len(); i++ {
				if d, ok := must.NotFail(arr.Get(i)).(*types.Document); ok {
					if err := xianrongCheckRegexes(d); err != nil {
						return err
					}
				}
			}

			continue
		}

		// Operators and dotted paths are left to upstream's own evaluation.
		if strings.HasPrefix(k, "$") || strings.Contains(k, ".") || !xianrongHoldsRegex(v) {
			continue
		}

		probe := must.NotFail(types.NewDocument(k, ""))
		if _, err := common.FilterDocument(probe, must.NotFail(types.NewDocument(k, v))); err != nil {
			return err
		}
	}

	return nil
}

// xianrongHoldsRegex reports whether a field condition contains a regex value or a $regex operator.
func xianrongHoldsRegex(v any) bool {
	switch v := v.(type) {
	case types.Regex:
		return true
	case *types.Document:
		for _, k := range v.Keys() {
			if k == "$regex" || xianrongHoldsRegex(must.NotFail(v.Get(k))) {
				return true
			}
		}
	case *types.Array:
		for i := 0; i < v.Len(); i++ {
			if xianrongHoldsRegex(must.NotFail(v.Get(i))) {
				return true
			}
		}
	}

	return false
}

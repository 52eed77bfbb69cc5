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
		if _, err := common.FilterDocument(must.NotFail(types.NewDocument()), filter); err != nil {
			return err
		}

		return xianrongCheckRegexes(filter)
	}
}

// xianrongCheckRegexes evaluates, one field at a time, every top-level field condition that holds
// a regex (also inside $and, $or and $nor) against a document whose field is an empty string.
// Upstream validates a regex's options and pattern (e.g. 'x' is not implemented) only when it
// meets a string to match; the empty document above has none, and a pushed-down query may read no
// row at all, so without this the patched build answered where upstream reports the error.
// Each condition is checked alone, so another field's condition cannot end the evaluation early.
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

// Xianrong patch: a new file in FerretDB v1.24.2's internal/handler package.

package handler

import (
	"context"
	"math"
	"slices"
	"strings"

	"github.com/FerretDB/FerretDB/internal/backends"
	"github.com/FerretDB/FerretDB/internal/handler/common/aggregations"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/iterator"
	"github.com/FerretDB/FerretDB/internal/util/lazyerrors"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// xianrongAggregateCount answers the pipeline
//
//	[{$match: filter}, {$group: {_id: <number, bool or null>, n: {$sum: 1}}}]
//
// (mongoose's countDocuments) with the backend's count when the backend can count filter exactly.
// The result is what the $group stage gives: no document for no match, else {_id, n} with n an
// int32, or an int64 above the int32 range (like $sum of int32 ones). ok is false for any other
// pipeline or filter; the caller then runs the pipeline as usual.
func xianrongAggregateCount(ctx context.Context, c backends.Collection, stages []any) (types.DocumentsIterator, bool, error) {
	counter, ok := c.(backends.XianrongCounter)
	if !ok || len(stages) != 2 {
		return nil, false, nil
	}

	match, _ := stages[0].(*types.Document)
	group, _ := stages[1].(*types.Document)

	if match.Len() != 1 || group.Len() != 1 || match.Keys()[0] != "$match" || group.Keys()[0] != "$group" {
		return nil, false, nil
	}

	filter, _ := match.Values()[0].(*types.Document)
	spec, _ := group.Values()[0].(*types.Document)

	if filter == nil || spec.Len() != 2 || spec.Keys()[0] != "_id" {
		return nil, false, nil
	}

	id := spec.Values()[0]
	switch id.(type) {
	case int32, int64, float64, bool, types.NullType:
	default:
		return nil, false, nil
	}

	field := spec.Keys()[1]
	acc, _ := spec.Values()[1].(*types.Document)

	if field == "" || strings.HasPrefix(field, "$") || strings.Contains(field, ".") || acc.Len() != 1 {
		return nil, false, nil
	}

	if one, _ := acc.Get("$sum"); one != int32(1) {
		return nil, false, nil
	}

	n, counted, err := counter.XianrongCount(ctx, filter)
	if err != nil {
		return nil, false, lazyerrors.Error(err)
	}

	if !counted {
		return nil, false, nil
	}

	var docs []*types.Document

	if n > 0 {
		var v any = int32(n)
		if n > math.MaxInt32 {
			v = n
		}

		docs = append(docs, must.NotFail(types.NewDocument("_id", id, field, v)))
	}

	return iterator.Values(iterator.ForSlice(docs)), true, nil
}

// xianrongDropPushedSort removes the $sort stage that aggregations.GetPushdownQuery offered to the
// backend (the first $sort among the first two stages, preceded only by $match) once the backend
// has returned the documents in that order; $match keeps the order.
func xianrongDropPushedSort(stages []aggregations.Stage, raw []any) []aggregations.Stage {
	if len(stages) != len(raw) {
		return stages
	}

	for i := 0; i < len(raw) && i < 2; i++ {
		d, _ := raw[i].(*types.Document)

		switch d.Command() {
		case "$sort":
			return slices.Delete(slices.Clone(stages), i, i+1)
		case "$match":
			continue
		default:
			return stages
		}
	}

	return stages
}

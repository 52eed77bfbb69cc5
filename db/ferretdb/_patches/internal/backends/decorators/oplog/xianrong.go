// Xianrong patch: a new file in FerretDB v1.24.2's internal/backends/decorators/oplog package.

package oplog

import (
	"context"

	"github.com/FerretDB/FerretDB/internal/backends"
	"github.com/FerretDB/FerretDB/internal/types"
)

// XianrongCount implements backends.XianrongCounter by passing the call to the wrapped collection
// (the handler sees backends through this decorator; counting writes nothing to the OpLog).
func (c *collection) XianrongCount(ctx context.Context, filter *types.Document) (int64, bool, error) {
	counter, ok := c.origC.(backends.XianrongCounter)
	if !ok {
		return 0, false, nil
	}

	return counter.XianrongCount(ctx, filter)
}

// check interfaces
var (
	_ backends.XianrongCounter = (*collection)(nil)
)

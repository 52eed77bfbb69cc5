// Xianrong patch: a new file in FerretDB v1.24.2's internal/handler package.

package handler

import (
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
}

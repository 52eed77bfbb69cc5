// Xianrong patch: a new file in FerretDB v1.24.2's internal/backends/sqlite/metadata package.

package metadata

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"

	"github.com/FerretDB/FerretDB/internal/util/fsql"
	"github.com/FerretDB/FerretDB/internal/util/lazyerrors"
)

// Index form (Xianrong patch).
//
// Upstream builds every index on `_ferretdb_sjson->"f"` (the field's JSON text), which only
// enforces uniqueness: no query uses that expression. We build each key on a simple top-level
// field f on the pair (rank(f), value(f)):
//
//   - value(f) is `_ferretdb_sjson->>'f'`: numbers as SQL integers/reals, strings as text, dates as
//     integer milliseconds, ObjectIDs as lower-case hex text, booleans as 0/1, null and missing as NULL;
//   - rank(f) is FerretDB's sort type order (types/compare_order.go) derived from the type sjson
//     stores under `$s.p.f.t`: null and missing 1, numbers 3, string 4, object 5, array 6, binData 7,
//     objectId 8, bool 9, date 10, timestamp 11, regex 12.
//
// Within one rank, SQLite orders value(f) like FerretDB orders the values (numbers numerically,
// strings by UTF-8 bytes, dates, hex ObjectIDs and 0/1 booleans by value), so the pair serves
// equality, $in, type-bracketed ranges, prefix ranges and ORDER BY. Objects, arrays, binData,
// timestamps and regexes do not order like that; the query side never relies on their order.
//
// `_id` keys keep a single column, `_ferretdb_sjson->'_id'` (IDColumn), which lookups, updates and
// deletes by _id use. Keys on dotted paths or unusual names keep upstream's form.

// XianrongSimpleField reports whether f is a top-level field name the pushdown handles.
func XianrongSimpleField(f string) bool {
	return xianrongSimpleFieldRe.MatchString(f)
}

var xianrongSimpleFieldRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// XianrongRankExpr returns the SQL expression of the sort type rank of the simple field f.
func XianrongRankExpr(f string) string {
	return fmt.Sprintf(
		`(CASE %s->>'$."$s".p.%s.t' `+
			`WHEN 'double' THEN 3 WHEN 'int' THEN 3 WHEN 'long' THEN 3 WHEN 'string' THEN 4 `+
			`WHEN 'object' THEN 5 WHEN 'array' THEN 6 WHEN 'binData' THEN 7 WHEN 'objectId' THEN 8 `+
			`WHEN 'bool' THEN 9 WHEN 'date' THEN 10 WHEN 'timestamp' THEN 11 WHEN 'regex' THEN 12 `+
			`ELSE 1 END)`,
		DefaultColumn, f,
	)
}

// XianrongValueExpr returns the SQL expression of the value of the simple field f.
func XianrongValueExpr(f string) string {
	return fmt.Sprintf(`%s->>'%s'`, DefaultColumn, f)
}

// Ranks used by the query side.
const (
	XianrongRankNull     = 1
	XianrongRankNumber   = 3
	XianrongRankString   = 4
	XianrongRankArray    = 6
	XianrongRankObjectID = 8
	XianrongRankBool     = 9
	XianrongRankDate     = 10
	XianrongRankRegex    = 12
)

// xianrongIndexColumns returns the indexed columns of one key.
func xianrongIndexColumns(key IndexKeyPair) []string {
	var dir string
	if key.Descending {
		dir = " DESC"
	}

	switch {
	case key.Field == "_id":
		return []string{IDColumn + dir}
	case XianrongSimpleField(key.Field):
		return []string{XianrongRankExpr(key.Field) + dir, XianrongValueExpr(key.Field) + dir}
	default:
		// upstream's form
		fields := strings.Split(key.Field, ".")
		for j, f := range fields {
			fields[j] = fmt.Sprintf("%q", f)
		}

		return []string{fmt.Sprintf("%s->%s", DefaultColumn, strings.Join(fields, "->")) + dir}
	}
}

// xianrongCreateIndexSQL returns the CREATE INDEX statement of the index; SQLite keeps it verbatim
// in sqlite_master, which is how xianrongMigrate finds indexes built in another form.
func xianrongCreateIndexSQL(tableName string, index IndexInfo) string {
	q := "CREATE "
	if index.Unique {
		q += "UNIQUE "
	}

	var columns []string
	for _, key := range index.Key {
		columns = append(columns, xianrongIndexColumns(key)...)
	}

	return q + fmt.Sprintf("INDEX %q ON %q (%s)", tableName+"_"+index.Name, tableName, strings.Join(columns, ", "))
}

// Field type log (Xianrong patch).
//
// XianrongTypesTable lists, per collection table, the top-level fields that have ever held a value
// the pushdown cannot order or match exactly:
//
//   - the sjson types array, object, binData, timestamp and regex (from `$s.p.f.t`);
//   - "real": a number SQLite reads as a double (JSON text with a fraction or exponent, or integer
//     text beyond the int64 range, which sjson writes for doubles from 2^63 up to 1e21). SQLite's
//     text-to-double conversion is not correctly rounded (about 7% of random doubles came back one
//     unit in the last place off in a test, mostly with large or tiny exponents), so the value
//     SQLite compares may differ slightly from the one FerretDB compares. Integer text within the
//     int64 range (ints, longs, dates, integral doubles) is exact.
//
// Triggers on each collection table add rows on insert and update, in the same transaction;
// rows are never removed while the table exists (stale rows only make the pushdown more cautious).
// The query side reads the log to decide whether a condition needs an array branch or a widened
// numeric range, and whether SQLite can sort.
const XianrongTypesTable = "_ferretdb_xianrong_types"

// xianrongLoggedTypes are the sjson types recorded in XianrongTypesTable.
const xianrongLoggedTypes = `('array', 'object', 'binData', 'timestamp', 'regex')`

// xianrongTypeLogInsert returns the statement that logs the fields of the rows of source
// ("NEW" in a trigger, or the table itself when filling the log from existing rows).
func xianrongTypeLogInsert(tableName, source string) string {
	lit := "'" + strings.ReplaceAll(tableName, "'", "''") + "'"

	from, col := source, source+"."+DefaultColumn
	if source != "NEW" {
		from, col = fmt.Sprintf("%q AS t, ", source), "t."+DefaultColumn
	} else {
		from = ""
	}

	return fmt.Sprintf(
		`INSERT OR IGNORE INTO %[1]q (tbl, field, type) `+
			`SELECT %[2]s, j.key, j.value->>'t' FROM %[3]sjson_each(%[4]s, '$."$s".p') AS j WHERE j.value->>'t' IN %[5]s `+
			`UNION SELECT %[2]s, j.key, 'real' FROM %[3]sjson_each(%[4]s) AS j WHERE typeof(j.value) = 'real' AND j.key != '$s'`,
		XianrongTypesTable, lit, from, col, xianrongLoggedTypes,
	)
}

// xianrongEnsureTypeLog creates XianrongTypesTable and the collection table's triggers if they
// are missing or differ from this build's; when it (re)creates them, it fills the log from the
// table's rows.
func xianrongEnsureTypeLog(ctx context.Context, db *fsql.DB, tableName string) error {
	q := fmt.Sprintf(
		`CREATE TABLE IF NOT EXISTS %q (tbl TEXT NOT NULL, field TEXT NOT NULL, type TEXT NOT NULL, `+
			`PRIMARY KEY (tbl, field, type)) WITHOUT ROWID`,
		XianrongTypesTable,
	)
	if _, err := db.ExecContext(ctx, q); err != nil {
		return lazyerrors.Error(err)
	}

	trigger := tableName + "_xianrong_types"
	want := map[string]string{
		trigger + "_i": fmt.Sprintf(`CREATE TRIGGER %q AFTER INSERT ON %q BEGIN %s; END`, trigger+"_i", tableName, xianrongTypeLogInsert(tableName, "NEW")),
		trigger + "_u": fmt.Sprintf(`CREATE TRIGGER %q AFTER UPDATE ON %q BEGIN %s; END`, trigger+"_u", tableName, xianrongTypeLogInsert(tableName, "NEW")),
	}

	rows, err := db.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?`, tableName)
	if err != nil {
		return lazyerrors.Error(err)
	}

	same := 0
	for rows.Next() {
		var name, have string
		if err = rows.Scan(&name, &have); err != nil {
			rows.Close()
			return lazyerrors.Error(err)
		}

		if want[name] == have {
			same++
		}
	}

	rows.Close()

	if err = rows.Err(); err != nil {
		return lazyerrors.Error(err)
	}

	if same == len(want) {
		return nil
	}

	// The DELETE comes first: a write as the transaction's first statement takes the write lock
	// (waiting for it); a read first would have to upgrade later and fail with SQLITE_BUSY when
	// another connection wrote in between (FerretDB's transactions are deferred).
	return db.InTransaction(ctx, func(tx *fsql.Tx) error {
		for _, s := range []string{
			fmt.Sprintf(`DELETE FROM %q WHERE tbl = ?`, XianrongTypesTable),
			fmt.Sprintf(`DROP TRIGGER IF EXISTS %q`, trigger+"_i"),
			fmt.Sprintf(`DROP TRIGGER IF EXISTS %q`, trigger+"_u"),
			want[trigger+"_i"],
			want[trigger+"_u"],
			xianrongTypeLogInsert(tableName, tableName),
		} {
			var args []any
			if strings.HasPrefix(s, "DELETE") {
				args = []any{tableName}
			}

			if _, err := tx.ExecContext(ctx, s, args...); err != nil {
				return lazyerrors.Error(err)
			}
		}

		return nil
	})
}

// xianrongMigrate brings the collections of an existing database to this patch's form, once:
// indexes built in another form are dropped and re-created, and type-log triggers are added.
func (r *Registry) xianrongMigrate(ctx context.Context, dbName string, db *fsql.DB) error {
	for _, c := range r.colls[dbName] {
		if err := xianrongEnsureTypeLog(ctx, db, c.TableName); err != nil {
			return lazyerrors.Error(err)
		}

		for _, index := range c.Settings.Indexes {
			name := c.TableName + "_" + index.Name
			want := xianrongCreateIndexSQL(c.TableName, index)

			var have string
			err := db.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?`, name).Scan(&have)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return lazyerrors.Error(err)
			}

			if have == want {
				continue
			}

			r.l.InfoContext(
				ctx, "Rebuilding index in the pushdown form",
				slog.String("db", dbName), slog.String("collection", c.Name), slog.String("index", index.Name),
			)

			err = db.InTransaction(ctx, func(tx *fsql.Tx) error {
				if _, err := tx.ExecContext(ctx, fmt.Sprintf(`DROP INDEX IF EXISTS %q`, name)); err != nil {
					return lazyerrors.Error(err)
				}

				if _, err := tx.ExecContext(ctx, want); err != nil {
					return lazyerrors.Error(err)
				}

				return nil
			})
			if err != nil {
				return lazyerrors.Error(err)
			}
		}
	}

	return nil
}

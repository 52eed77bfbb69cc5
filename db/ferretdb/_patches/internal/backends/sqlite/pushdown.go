// Xianrong patch: a new file in FerretDB v1.24.2's internal/backends/sqlite package.

package sqlite

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/fsql"
	"github.com/FerretDB/FerretDB/internal/util/lazyerrors"
)

// Filter, sort and count pushdown (Xianrong patch).
//
// xianrongPlan translates the parts of a filter it understands into a SQL WHERE clause over the
// (rank, value) expressions the indexes are built on (metadata/xianrong_index.go). The invariant:
// the WHERE clause selects a superset of the documents the filter matches, and the handler still
// runs FerretDB's own filter on every row, so pushdown can only drop rows that would not match.
//
// Pushed: conditions on simple top-level fields (metadata.XianrongSimpleField) of the forms
// {f: v}, {f: {$eq: v}}, {f: {$in: [v...]}}, {f: {$all: [strings]}} (addAll),
// {f: {$gt|$gte|$lt|$lte: v}} and {f: /^literal/}
// (or {$regex: '^literal'} without options), $and of filters, and $or of filters whose every
// branch pushes at least one condition; v a string, number (not NaN or infinite), date, ObjectID,
// bool or null (null only for $eq/$in). For _id: equality and $in of strings and ObjectIDs, and
// $gt/$gte/$lt/$lte of an ObjectID, on the _id index. Everything else ($nor, $ne, $nin, $exists,
// $elemMatch, dotted paths, regexes with options or without a literal prefix, objects, arrays ...)
// stays for the handler alone.
//
// A document whose field f holds an array may match a condition on f through its elements, so each
// pushed condition keeps such documents (OR rank = array) unless the collection's type log says
// f never held an array. Numbers on a field that ever held a fractional number are compared with a
// widened range (metadata.XianrongTypesTable explains why). A condition is "exact" when the SQL
// selects exactly the matching documents; only a filter whose every condition is exact is counted
// in SQL.
type xianrongPlan struct {
	conds []string
	args  []any
	exact bool

	// fields with an exact equality condition on a non-null value (served by an index prefix)
	eqFields map[string]bool

	// whether the filter has a pushed _id condition
	hasID bool

	// whether a pushed condition selects only documents whose _id is an ObjectID (then SQLite may
	// order by _id on the _id column, which orders ObjectIDs like FerretDB)
	idObjectID bool
}

// xianrongTypeLog returns the loggable types each top-level field of the table ever held
// (metadata.XianrongTypesTable). ok is false if it cannot tell; then every field counts as
// holding every such type.
func xianrongTypeLog(ctx context.Context, db *fsql.DB, tableName string) (log map[string]map[string]bool, ok bool) {
	rows, err := db.QueryContext(ctx, fmt.Sprintf(`SELECT field, type FROM %q WHERE tbl = ?`, metadata.XianrongTypesTable), tableName)
	if err != nil {
		return nil, false
	}
	defer rows.Close()

	log = map[string]map[string]bool{}

	for rows.Next() {
		var f, t string
		if err = rows.Scan(&f, &t); err != nil {
			return nil, false
		}

		if log[f] == nil {
			log[f] = map[string]bool{}
		}

		log[f][t] = true
	}

	if rows.Err() != nil {
		return nil, false
	}

	return log, true
}

// xianrongLoadTypes reads the type log if the filter or sort needs it (a filter on _id alone and
// no field sort do not).
func xianrongLoadTypes(ctx context.Context, db *fsql.DB, tableName string, filter, sort *types.Document) xianrongTypes {
	needed := sort.Len() != 0 && !sort.Has("$natural")

	for _, k := range filter.Keys() {
		if k != "_id" && k != "$comment" {
			needed = true
		}
	}

	if !needed {
		return xianrongTypes{ok: true}
	}

	log, ok := xianrongTypeLog(ctx, db, tableName)

	return xianrongTypes{log: log, ok: ok}
}

// xianrongTypes is the type log of one query.
type xianrongTypes struct {
	log map[string]map[string]bool
	ok  bool
}

// mayBeArray reports whether field f may hold an array in some document.
func (t xianrongTypes) mayBeArray(f string) bool {
	return !t.ok || t.log[f]["array"]
}

// inexact reports whether field f may hold a number whose JSON text SQLite converts inexactly
// (metadata.XianrongTypesTable, "real").
func (t xianrongTypes) inexact(f string) bool {
	return !t.ok || t.log[f]["real"]
}

// xianrongWiden returns a range around the number v wide enough to contain every stored number
// FerretDB considers equal to v, as SQLite may read it (a few units in the last place off).
func xianrongWiden(v any) (lo, hi float64) {
	var x float64

	switch v := v.(type) {
	case float64:
		x = v
	case int64:
		x = float64(v)
	}

	tol := math.Abs(x)*1e-9 + 1e-300

	return x - tol, x + tol
}

// orderable reports whether every value of field f orders in SQL as FerretDB orders it.
func (t xianrongTypes) orderable(f string) bool {
	return t.ok && len(t.log[f]) == 0
}

// xianrongBuildPlan translates filter. A nil filter gives an empty, exact plan.
func xianrongBuildPlan(filter *types.Document, t xianrongTypes) *xianrongPlan {
	p := &xianrongPlan{exact: true, eqFields: map[string]bool{}}
	p.addFilter(filter, t)

	return p
}

// addFilter adds the conditions of one filter document.
func (p *xianrongPlan) addFilter(filter *types.Document, t xianrongTypes) {
	if filter == nil {
		return
	}

	iter := filter.Iterator()
	defer iter.Close()

	for {
		k, v, err := iter.Next()
		if err != nil {
			return
		}

		switch {
		case k == "$comment":
			// not a condition
		case k == "$and":
			arr, ok := v.(*types.Array)
			if !ok || arr.Len() == 0 {
				p.exact = false
				continue
			}

			for i := 0; i < arr.Len(); i++ {
				sub, _ := arr.Get(i)

				d, ok := sub.(*types.Document)
				if !ok {
					p.exact = false
					continue
				}

				p.addFilter(d, t)
			}
		case k == "$or":
			p.addOr(v, t)
		case k == "_id":
			p.addID(v)
		case !metadata.XianrongSimpleField(k):
			p.exact = false
		default:
			p.addField(k, v, t)
		}
	}
}

// addOr adds {$or: [b1, b2, ...]} as ((b1) OR (b2) ...), each branch translated like a filter
// document of its own. The SQL of a branch selects a superset of the documents the branch matches
// (its unpushed conditions only make it inexact), so their OR is a superset of the $or. A branch
// that pushes nothing could match any document: then nothing is pushed for this $or. So is an
// empty or malformed $or (FerretDB's filter reports the error). A branch's equalities and _id
// conditions do not hold for the whole filter, so they do not steer index hints or the sort.
func (p *xianrongPlan) addOr(v any, t xianrongTypes) {
	arr, ok := v.(*types.Array)
	if !ok || arr.Len() == 0 {
		p.exact = false
		return
	}

	terms := make([]string, 0, arr.Len())
	var args []any
	exact := true

	for i := 0; i < arr.Len(); i++ {
		d, ok := xianrongElem(arr.Get(i)).(*types.Document)
		if !ok {
			p.exact = false
			return
		}

		b := xianrongBuildPlan(d, t)
		if len(b.conds) == 0 {
			p.exact = false
			return
		}

		exact = exact && b.exact
		terms = append(terms, "("+strings.Join(b.conds, " AND ")+")")
		args = append(args, b.args...)
	}

	if !exact {
		p.exact = false
	}

	p.conds = append(p.conds, "("+strings.Join(terms, " OR ")+")")
	p.args = append(p.args, args...)
}

// addID pushes {_id: v}, {_id: {$eq: v}} and {_id: {$in: [...]}} for strings and ObjectIDs, and
// {_id: {$gt|$gte|$lt|$lte: ObjectID}} (cursor paging), through the _id index.
func (p *xianrongPlan) addID(v any) {
	switch v := v.(type) {
	case string, types.ObjectID:
		p.addIDIn([]any{v})
	case *types.Document:
		if v.Len() == 0 || !strings.HasPrefix(v.Keys()[0], "$") {
			// equality with a document
			p.exact = false
			return
		}

		iter := v.Iterator()
		defer iter.Close()

		for {
			op, arg, err := iter.Next()
			if err != nil {
				return
			}

			switch op {
			case "$eq":
				p.addIDIn([]any{arg})
			case "$in":
				arr, ok := arg.(*types.Array)
				if !ok {
					p.exact = false
					continue
				}

				var vals []any
				for i := 0; i < arr.Len(); i++ {
					vals = append(vals, xianrongElem(arr.Get(i)))
				}

				p.addIDIn(vals)
			case "$gt", "$gte", "$lt", "$lte":
				p.addIDRange(op, arg)
			default:
				p.exact = false
			}
		}
	default:
		p.exact = false
	}
}

// addIDRange adds {_id: {$gt|$gte|$lt|$lte: v}} for an ObjectID v. FerretDB compares within a
// type, so only ObjectID _ids can match; the _id column holds an ObjectID as its lower-case hex in
// quotes, and those texts (all of one length) order like the ObjectIDs. Another type of _id may
// fall in the text range, so the stored type is checked too, which makes the condition exact.
// Ranges of strings are not pushed: a string's JSON text does not order like the string (`"ab"`
// sorts after `"ab "`, and escapes).
func (p *xianrongPlan) addIDRange(op string, v any) {
	id, ok := v.(types.ObjectID)
	if !ok {
		p.exact = false
		return
	}

	sqlOp := map[string]string{"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}[op]

	p.hasID = true
	p.idObjectID = true
	p.conds = append(p.conds, fmt.Sprintf(
		`(%s %s ? AND %s->>'$."$s".p._id.t' = 'objectId')`, metadata.IDColumn, sqlOp, metadata.DefaultColumn,
	))
	p.args = append(p.args, fmt.Sprintf(`"%x"`, id[:]))
}

// addIDIn adds {_id: {$in: vals}} (one value for an equality) for strings and ObjectIDs.
func (p *xianrongPlan) addIDIn(vals []any) {
	if len(vals) == 0 {
		// {_id: {$in: []}} matches nothing (the appeal scope of a caller with no scope)
		p.conds = append(p.conds, "0")
		return
	}

	var ph []string
	var args []any
	var typ string

	for _, val := range vals {
		var s, vt string

		switch val := val.(type) {
		case string:
			if !xianrongPlainID(val) {
				p.exact = false
				return
			}

			s, vt = val, "string"
		case types.ObjectID:
			s, vt = fmt.Sprintf("%x", val[:]), "objectId"
		default:
			p.exact = false
			return
		}

		if typ != "" && typ != vt {
			// a string and an ObjectID with the same hex are the same JSON text: still pushed,
			// but the stored type is not checked below
			p.exact = false
		}

		typ = vt

		ph = append(ph, "?")
		args = append(args, `"`+s+`"`)
	}

	p.hasID = true

	cond := fmt.Sprintf(`%s IN (%s)`, metadata.IDColumn, strings.Join(ph, ", "))
	if p.exact {
		// _id is never an array; a string and an ObjectID with the same hex differ only in $s
		cond = fmt.Sprintf(`(%s AND %s->>'$."$s".p._id.t' = '%s')`, cond, metadata.DefaultColumn, typ)
	}

	p.conds = append(p.conds, cond)
	p.args = append(p.args, args...)
}

// xianrongPlainID reports whether the _id string s is stored as its bytes between quotes (no JSON
// escapes), so that the JSON text SQLite compares is unambiguous.
func xianrongPlainID(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}

	return true
}

// addField adds the condition {f: v} on a simple top-level field.
func (p *xianrongPlan) addField(f string, v any, t xianrongTypes) {
	switch v := v.(type) {
	case *types.Document:
		if v.Len() == 0 || !strings.HasPrefix(v.Keys()[0], "$") {
			// equality with a document
			p.exact = false
			return
		}

		var options any
		hasOptions := v.Has("$options")
		if hasOptions {
			options = xianrongElem(v.Get("$options"))
		}

		iter := v.Iterator()
		defer iter.Close()

		for {
			op, arg, err := iter.Next()
			if err != nil {
				return
			}

			switch op {
			case "$eq":
				p.addEq(f, arg, t)
			case "$in":
				p.addIn(f, arg, t)
			case "$all":
				p.addAll(f, arg, t)
			case "$gt", "$gte", "$lt", "$lte":
				p.addRange(f, op, arg, t)
			case "$regex":
				opts, _ := options.(string)
				if hasOptions && opts != "" {
					p.exact = false
					continue
				}

				switch arg := arg.(type) {
				case string:
					p.addRegex(f, types.Regex{Pattern: arg}, t)
				case types.Regex:
					p.addRegex(f, arg, t)
				default:
					p.exact = false
				}
			case "$options":
				// with $regex
			default:
				p.exact = false
			}
		}
	case types.Regex:
		p.addRegex(f, v, t)
	default:
		p.addEq(f, v, t)
	}
}

// xianrongEncode returns the rank and the SQL value of a scalar filter value.
// ok is false for values it does not push (documents, arrays, NaN, infinities, binData, ...).
func xianrongEncode(v any) (rank int, val any, ok bool) {
	switch v := v.(type) {
	case types.NullType:
		return metadata.XianrongRankNull, nil, true
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, nil, false
		}

		if v == 0 {
			v = 0 // -0
		}

		return metadata.XianrongRankNumber, v, true
	case int32:
		return metadata.XianrongRankNumber, int64(v), true
	case int64:
		return metadata.XianrongRankNumber, v, true
	case string:
		return metadata.XianrongRankString, v, true
	case types.ObjectID:
		return metadata.XianrongRankObjectID, fmt.Sprintf("%x", v[:]), true
	case bool:
		if v {
			return metadata.XianrongRankBool, int64(1), true
		}

		return metadata.XianrongRankBool, int64(0), true
	case time.Time:
		return metadata.XianrongRankDate, v.UnixMilli(), true
	default:
		return 0, nil, false
	}
}

// add appends a condition on f; the array branch is added when f may hold an array.
func (p *xianrongPlan) add(f, cond string, args []any, t xianrongTypes) {
	p.addBranches(f, cond, args, t, metadata.XianrongRankArray)
}

// addElems appends a condition on f from {f: v} or {f: {$in: vals}}. A document whose f is an array
// matches through an element equal to a value; when every value is a plain string or an ObjectID,
// such an element is written in the array's JSON text as the value between quotes, so the array
// branch keeps only arrays whose text contains one of those (instead of every array: a list field
// like followerIds holds an array in every document, which made the branch true for every row).
// A nested value or an object key with that text also passes: SQL may only keep too many rows.
func (p *xianrongPlan) addElems(f, cond string, args, vals []any, t xianrongTypes) {
	if !t.mayBeArray(f) {
		p.add(f, cond, args, t)
		return
	}

	needles, ok := xianrongElemNeedles(vals)
	if !ok {
		strs, ok := xianrongTextStrings(vals)
		if !ok {
			p.add(f, cond, args, t)
			return
		}

		// strings with escapes or non-ASCII: the array branch looks for an element equal to one
		arrCond, arrArgs := xianrongStringElems(f, strs, true)
		p.exact = false
		p.conds = append(p.conds, fmt.Sprintf(`(%s OR %s)`, cond, arrCond))
		p.args = append(p.args, args...)
		p.args = append(p.args, arrArgs...)

		return
	}

	tests := make([]string, len(needles))
	for i := range needles {
		tests[i] = fmt.Sprintf(`instr(%s, ?) > 0`, metadata.XianrongValueExpr(f))
	}

	p.exact = false
	p.conds = append(p.conds, fmt.Sprintf(
		`(%s OR (%s = %d AND (%s)))`, cond, metadata.XianrongRankExpr(f), metadata.XianrongRankArray, strings.Join(tests, " OR "),
	))
	p.args = append(p.args, args...)
	p.args = append(p.args, needles...)
}

// xianrongElemNeedles returns the JSON text of each value, if all are plain strings (written
// without escapes, see xianrongPlainID) or ObjectIDs (written as their hex).
func xianrongElemNeedles(vals []any) ([]any, bool) {
	if len(vals) == 0 {
		return nil, false
	}

	needles := make([]any, 0, len(vals))

	for _, v := range vals {
		switch v := v.(type) {
		case string:
			if !xianrongPlainID(v) {
				return nil, false
			}

			needles = append(needles, `"`+v+`"`)
		case types.ObjectID:
			needles = append(needles, fmt.Sprintf(`"%x"`, v[:]))
		default:
			return nil, false
		}
	}

	return needles, true
}

// addAll adds {f: {$all: [s1, s2, ...]}} for a non-empty list of strings. FerretDB's $all
// (handler/common/filter.go, filterFieldExprAll) matches an array that contains every si as an
// element (types.Array.Contains compares a scalar with the scalar elements only: an element
// ["s"] does not match "s") and a scalar equal to every si (a string field equal to s matches
// [s] and [s, s]); a document, a missing field or an empty list never match. So each si is a
// condition of its own: f equals si, or f is an array with an element equal to si.
//
// When the type log says f never held an array, these are plain equalities (exact). Otherwise the
// array branch is EXISTS (SELECT 1 FROM json_each(<row>, '$.f') WHERE type = 'text' AND value = si):
// sjson stores a string element as a JSON string (SQLite's json_each unescapes it, so quotes,
// backslashes, non-ASCII and emoji compare as the string itself), and also an ObjectID as its hex
// text; the $s type of the element is not checked, so an ObjectID element with the hex si passes
// too and the condition is not exact (FerretDB's filter drops that row). Nested arrays are type
// 'array' to json_each and never pass. Strings that SQL cannot compare as text (invalid UTF-8, a
// NUL) are not pushed; the list's other strings still are.
//
// When Go's JSON encoder writes si as its own bytes between quotes (xianrongVerbatim), a document
// whose stored text does not contain "si" holds neither such an element nor f equal to si: instr
// on the row's text is checked first, for every such si before any element test, so documents
// without one of the strings are dropped without parsing their JSON (a news search over articles
// with a thousand search terms each: most rows lack a rare term).
func (p *xianrongPlan) addAll(f string, v any, t xianrongTypes) {
	arr, ok := v.(*types.Array)
	if !ok || arr.Len() == 0 {
		// an error, or matches nothing: FerretDB's filter decides
		p.exact = false
		return
	}

	strs := make([]string, 0, arr.Len())

	for i := 0; i < arr.Len(); i++ {
		s, ok := xianrongElem(arr.Get(i)).(string)
		if !ok {
			// numbers, regexes, $elemMatch, documents, arrays ...: not pushed
			p.exact = false
			return
		}

		strs = append(strs, s)
	}

	if !t.mayBeArray(f) {
		// a scalar matches when it equals every string
		for _, s := range strs {
			p.addEq(f, s, t)
		}

		return
	}

	p.exact = false

	for _, s := range strs {
		if xianrongVerbatim(s) {
			p.conds = append(p.conds, fmt.Sprintf(`instr(%s, ?) > 0`, metadata.DefaultColumn))
			p.args = append(p.args, `"`+s+`"`)
		}
	}

	for _, s := range strs {
		if !xianrongTextString(s) {
			continue
		}

		arrCond, arrArgs := xianrongStringElems(f, []string{s}, false)
		p.conds = append(p.conds, fmt.Sprintf(
			`((%s = %d AND %s = ?) OR %s)`,
			metadata.XianrongRankExpr(f), metadata.XianrongRankString, metadata.XianrongValueExpr(f), arrCond,
		))
		p.args = append(p.args, s)
		p.args = append(p.args, arrArgs...)
	}
}

// xianrongStringElems returns the condition "f is an array with an element equal to one of the
// strings strs" (each passing xianrongTextString) and its arguments. It may also keep arrays with
// an ObjectID element whose hex is one of strs (see addAll). With textTest, when every string is
// written verbatim, the row's text must contain one of them before the JSON is parsed.
func xianrongStringElems(f string, strs []string, textTest bool) (string, []any) {
	var args []any

	cond := fmt.Sprintf(`%s = %d`, metadata.XianrongRankExpr(f), metadata.XianrongRankArray)

	// the row's text must contain one of the strings as written, when all are written verbatim
	verbatim := textTest
	for _, s := range strs {
		verbatim = verbatim && xianrongVerbatim(s)
	}

	if verbatim {
		tests := make([]string, len(strs))
		for i, s := range strs {
			tests[i] = fmt.Sprintf(`instr(%s, ?) > 0`, metadata.DefaultColumn)
			args = append(args, `"`+s+`"`)
		}

		cond += " AND (" + strings.Join(tests, " OR ") + ")"
	}

	cond += fmt.Sprintf(
		` AND EXISTS (SELECT 1 FROM json_each(%s, '$.%s') WHERE type = 'text' AND value IN (%s))`,
		metadata.DefaultColumn, f, strings.TrimSuffix(strings.Repeat("?, ", len(strs)), ", "),
	)

	for _, s := range strs {
		args = append(args, s)
	}

	return "(" + cond + ")", args
}

// xianrongTextStrings returns vals as strings if every one is a string that passes
// xianrongTextString.
func xianrongTextStrings(vals []any) ([]string, bool) {
	if len(vals) == 0 {
		return nil, false
	}

	strs := make([]string, 0, len(vals))

	for _, v := range vals {
		s, ok := v.(string)
		if !ok || !xianrongTextString(s) {
			return nil, false
		}

		strs = append(strs, s)
	}

	return strs, true
}

// xianrongTextString reports whether SQLite compares the string s, as a bound argument, equal to
// the text json_each gives for the JSON string sjson writes for s: valid UTF-8 (Go's encoder
// writes invalid bytes as U+FFFD) and no NUL (kept out of SQL text comparisons to be safe).
func xianrongTextString(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// xianrongVerbatim reports whether Go's encoding/json, which sjson uses (with HTML escaping),
// writes the string s as its own bytes between quotes: valid UTF-8 without control characters,
// quotes, backslashes, <, >, &, U+2028 or U+2029.
func xianrongVerbatim(s string) bool {
	if !utf8.ValidString(s) || strings.ContainsAny(s, "\"\\<>&\u2028\u2029") {
		return false
	}

	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 {
			return false
		}
	}

	return true
}

// addBranches appends a condition on f that also keeps documents where f holds a value of one of
// the given ranks, if f may hold such a value (the type log knows arrays and regexes).
func (p *xianrongPlan) addBranches(f, cond string, args []any, t xianrongTypes, ranks ...int) {
	for _, rank := range ranks {
		typ := map[int]string{metadata.XianrongRankArray: "array", metadata.XianrongRankRegex: "regex"}[rank]
		if t.ok && !t.log[f][typ] {
			continue
		}

		cond = fmt.Sprintf(`(%s OR %s = %d)`, cond, metadata.XianrongRankExpr(f), rank)
		p.exact = false
	}

	p.conds = append(p.conds, cond)
	p.args = append(p.args, args...)
}

// addEq adds {f: {$eq: v}}.
func (p *xianrongPlan) addEq(f string, v any, t xianrongTypes) {
	rank, val, ok := xianrongEncode(v)
	if !ok {
		p.exact = false
		return
	}

	if rank == metadata.XianrongRankNull {
		// null and missing
		p.add(f, fmt.Sprintf(`%s = %d`, metadata.XianrongRankExpr(f), rank), nil, t)
		return
	}

	if rank == metadata.XianrongRankNumber && t.inexact(f) {
		lo, hi := xianrongWiden(val)
		cond := fmt.Sprintf(`(%s = %d AND %s BETWEEN ? AND ?)`, metadata.XianrongRankExpr(f), rank, metadata.XianrongValueExpr(f))
		p.add(f, cond, []any{lo, hi}, t)
		p.exact = false

		return
	}

	cond := fmt.Sprintf(`(%s = %d AND %s = ?)`, metadata.XianrongRankExpr(f), rank, metadata.XianrongValueExpr(f))
	p.addElems(f, cond, []any{val}, []any{v}, t)

	if !t.mayBeArray(f) {
		p.eqFields[f] = true
	}
}

// addIn adds {f: {$in: [...]}}.
func (p *xianrongPlan) addIn(f string, v any, t xianrongTypes) {
	arr, ok := v.(*types.Array)
	if !ok {
		p.exact = false
		return
	}

	if arr.Len() == 0 {
		// matches nothing, not even an array field (no element equals nothing)
		p.conds = append(p.conds, "0")
		return
	}

	byRank := map[int][]any{}
	var ranks []int
	var orig []any

	for i := 0; i < arr.Len(); i++ {
		elem := xianrongElem(arr.Get(i))
		orig = append(orig, elem)

		rank, val, ok := xianrongEncode(elem)
		if !ok {
			// a regex, document or array element: not pushed
			p.exact = false
			return
		}

		if _, seen := byRank[rank]; !seen {
			ranks = append(ranks, rank)
			byRank[rank] = nil
		}

		if rank != metadata.XianrongRankNull {
			byRank[rank] = append(byRank[rank], val)
		}
	}

	var terms []string
	var args []any

	for _, rank := range ranks {
		if rank == metadata.XianrongRankNull {
			terms = append(terms, fmt.Sprintf(`%s = %d`, metadata.XianrongRankExpr(f), rank))
			continue
		}

		vals := byRank[rank]

		if rank == metadata.XianrongRankNumber && t.inexact(f) {
			var ors []string

			for _, val := range vals {
				lo, hi := xianrongWiden(val)
				ors = append(ors, fmt.Sprintf(`%s BETWEEN ? AND ?`, metadata.XianrongValueExpr(f)))
				args = append(args, lo, hi)
			}

			terms = append(terms, fmt.Sprintf(`(%s = %d AND (%s))`, metadata.XianrongRankExpr(f), rank, strings.Join(ors, " OR ")))
			p.exact = false

			continue
		}

		terms = append(terms, fmt.Sprintf(
			`(%s = %d AND %s IN (%s))`,
			metadata.XianrongRankExpr(f), rank, metadata.XianrongValueExpr(f), strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", "),
		))
		args = append(args, vals...)
	}

	cond := terms[0]
	if len(terms) > 1 {
		cond = "(" + strings.Join(terms, " OR ") + ")"
	}

	p.addElems(f, cond, args, orig, t)
}

// addRange adds {f: {$gt|$gte|$lt|$lte: v}}, bracketed by type as FerretDB compares.
func (p *xianrongPlan) addRange(f, op string, v any, t xianrongTypes) {
	rank, val, ok := xianrongEncode(v)
	if !ok || rank == metadata.XianrongRankNull {
		p.exact = false
		return
	}

	sqlOp := map[string]string{"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}[op]

	if rank == metadata.XianrongRankNumber && t.inexact(f) {
		lo, hi := xianrongWiden(val)
		if op == "$gt" || op == "$gte" {
			sqlOp, val = ">=", lo
		} else {
			sqlOp, val = "<=", hi
		}

		p.exact = false
	}

	cond := fmt.Sprintf(`(%s = %d AND %s %s ?)`, metadata.XianrongRankExpr(f), rank, metadata.XianrongValueExpr(f), sqlOp)
	p.add(f, cond, []any{val}, t)
}

// addRegex adds {f: /^literal.../} as a range of strings with that prefix.
func (p *xianrongPlan) addRegex(f string, re types.Regex, t xianrongTypes) {
	prefix, whole := xianrongRegexPrefix(re)

	if _, err := re.Compile(); err != nil {
		// the handler reports the error for every document it reads: keep them all
		prefix = ""
	}

	if prefix == "" {
		p.exact = false
		return
	}

	if !whole {
		p.exact = false
	}

	// the smallest string greater than every string starting with prefix: prefix with its last byte
	// incremented (UTF-8 never contains 0xFF, so that cannot overflow; the result is only compared
	// byte-wise, so it need not be valid UTF-8)
	upper := []byte(prefix)
	upper[len(upper)-1]++

	cond := fmt.Sprintf(
		`(%[1]s = %[2]d AND %[3]s >= ? AND %[3]s < ?)`,
		metadata.XianrongRankExpr(f), metadata.XianrongRankString, metadata.XianrongValueExpr(f),
	)

	// the handler's regex filter also matches a stored regex equal to this one
	p.addBranches(f, cond, []any{prefix, string(upper)}, t, metadata.XianrongRankArray, metadata.XianrongRankRegex)
}

// xianrongRegexPrefix returns the literal prefix every match of re starts with, and whether re
// matches exactly the strings with that prefix. It returns "" when it cannot tell.
func xianrongRegexPrefix(re types.Regex) (prefix string, whole bool) {
	if re.Options != "" || !strings.HasPrefix(re.Pattern, "^") || strings.Contains(re.Pattern, "|") {
		return "", false
	}

	pat := re.Pattern[1:]
	var b strings.Builder
	var last int // length of b before the last literal

	for i := 0; i < len(pat); {
		c := pat[i]

		switch {
		case c == '\\':
			if i+1 >= len(pat) {
				return "", false
			}

			n := pat[i+1]
			if n >= 0x80 || (n >= '0' && n <= '9') || (n >= 'A' && n <= 'Z') || (n >= 'a' && n <= 'z') {
				// \d, \b, \Q, \1, ... end the literal part
				return b.String(), false
			}

			last = b.Len()
			b.WriteByte(n)
			i += 2

		case strings.IndexByte(`.[]()^$`, c) >= 0:
			return b.String(), false

		case strings.IndexByte(`?*{+`, c) >= 0:
			// the previous literal may repeat or be absent
			return b.String()[:last], false

		default:
			_, size := utf8.DecodeRuneInString(pat[i:])
			last = b.Len()
			b.WriteString(pat[i : i+size])
			i += size
		}
	}

	return b.String(), true
}

// xianrongElem returns v, ignoring err (for elements read within the length, or checked with Has).
func xianrongElem(v any, _ error) any {
	return v
}

// xianrongOrderBy returns the ORDER BY clause of a field sort, or "" if SQLite cannot sort
// exactly like the handler: every key must be a simple top-level field whose values all order in
// SQL like FerretDB orders them (no arrays, objects, binData, timestamps or regexes).
// Documents with equal sort keys may come in any order, as with the handler's sort.
//
// A key on _id, when the plan selects only ObjectID _ids (an _id range, as cursor paging pushes),
// orders by the _id column itself: the _id index and indexes ending in _id then return rows in
// order, and a limit stops reading early.
func xianrongOrderBy(sort *types.Document, t xianrongTypes, p *xianrongPlan) string {
	var cols []string

	for _, k := range sort.Keys() {
		dir := ""
		if sort.Map()[k].(int64) == -1 {
			dir = " DESC"
		}

		if k == "_id" && p.idObjectID {
			cols = append(cols, metadata.IDColumn+dir)
			continue
		}

		if !metadata.XianrongSimpleField(k) || !t.orderable(k) {
			return ""
		}

		cols = append(cols, metadata.XianrongRankExpr(k)+dir, metadata.XianrongValueExpr(k)+dir)
	}

	if len(cols) == 0 {
		return ""
	}

	return " ORDER BY " + strings.Join(cols, ", ")
}

// xianrongSortIndex returns the name of an index built for this query: its keys are one or more
// fields with an exact equality condition, then the sort keys in order, with all directions equal
// or all reversed; or "".
//
// SQLite has no statistics, and for {state: 'open', regionPath: /^\/r3\//} sorted by deadlineAt
// it prefers the regionPath index and sorts every match in a temporary B-tree, while the
// {state, deadlineAt} index returns the rows in order, so that a limit stops reading after a few
// rows. The query then names that index (INDEXED BY). Not when the filter has a condition that is
// likely far more selective: on _id, or an equality on the first key of a unique index.
func xianrongSortIndex(meta *metadata.Collection, sort *types.Document, p *xianrongPlan) string {
	if p.hasID {
		return ""
	}

	for _, index := range meta.Settings.Indexes {
		if index.Unique && p.eqFields[index.Key[0].Field] {
			return ""
		}
	}

	keys := sort.Keys()

	for _, index := range meta.Settings.Indexes {
		i := 0
		for i < len(index.Key) && p.eqFields[index.Key[i].Field] && index.Key[i].Field != keys[0] {
			i++
		}

		if i == 0 || len(index.Key)-i < len(keys) {
			continue
		}

		ok := true
		var flip *bool

		for j, k := range keys {
			key := index.Key[i+j]
			if key.Field != k || !metadata.XianrongSimpleField(k) {
				ok = false
				break
			}

			f := (sort.Map()[k].(int64) == -1) != key.Descending
			if flip == nil {
				flip = &f
			}

			if *flip != f {
				ok = false
				break
			}
		}

		if ok {
			return meta.TableName + "_" + index.Name
		}
	}

	return ""
}

// xianrongWhere returns the WHERE clause of the plan.
func (p *xianrongPlan) where() string {
	if len(p.conds) == 0 {
		return ""
	}

	return " WHERE " + strings.Join(p.conds, " AND ")
}

// XianrongFieldSort implements backends.XianrongFieldSorter.
func (c *collection) XianrongFieldSort() {}

// XianrongCount implements backends.XianrongCounter.
func (c *collection) XianrongCount(ctx context.Context, filter *types.Document) (int64, bool, error) {
	db := c.r.DatabaseGetExisting(ctx, c.dbName)
	if db == nil {
		return 0, true, nil
	}

	meta := c.r.CollectionGet(ctx, c.dbName, c.name)
	if meta == nil {
		return 0, true, nil
	}

	p := xianrongBuildPlan(filter, xianrongLoadTypes(ctx, db, meta.TableName, filter, nil))
	if !p.exact {
		return 0, false, nil
	}

	var n int64
	q := fmt.Sprintf(`SELECT count(*) FROM %q`, meta.TableName) + p.where()

	if err := db.QueryRowContext(ctx, q, p.args...).Scan(&n); err != nil {
		return 0, false, lazyerrors.Error(err)
	}

	return n, true, nil
}

package store

import (
	"fmt"
	"math"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
)

// A codec converts the rows of one table to Arrow records and back. Each
// column carries two closures that move a whole batch at a time between a
// field of the rows and an Arrow builder or array, so the hot path makes one
// indirect call per cell and no reflection.
type codec[T any] struct {
	table  string
	schema *arrow.Schema
	cols   []column[T]
	byName map[string]int
}

// column is one column of a table: its Arrow field, how to append the rows'
// values to a builder of that field, and how to fill the rows from an array.
type column[T any] struct {
	field arrow.Field
	// kind names the column's Go side in errors and docs: "string", "list<string>", ...
	kind string
	// check reports whether a file's field can be decoded into this column.
	check func(dt arrow.DataType) bool
	// append appends every row's value to b, a builder of field.Type.
	append func(b array.Builder, rows []T)
	// decode sets every row's value from a, an array that passed check, of len(rows).
	decode func(a arrow.Array, rows []T)
	// unique marks a column whose values rarely repeat (ids, hashes,
	// texts): it is written without a dictionary, which would only grow
	// until the writer gave it up.
	unique bool
	// since is the schema version that added the column, 0 for the first.
	// A file of an older version lacks it: its rows read the Go zero value.
	since int
}

// unique returns col marked as unique.
func unique[T any](col column[T]) column[T] {
	col.unique = true
	return col
}

// since returns col marked as added in schema version v.
func since[T any](v int, col column[T]) column[T] {
	col.since = v
	return col
}

// Schema metadata keys written into every file, so a file names its table.
const (
	metaTable         = "zoograph.table"
	metaSchemaVersion = "zoograph.schema_version"
)

func newCodec[T any](table string, cols ...column[T]) *codec[T] {
	fields := make([]arrow.Field, len(cols))
	byName := make(map[string]int, len(cols))
	for i, c := range cols {
		fields[i] = c.field
		if _, dup := byName[c.field.Name]; dup {
			panic("store: duplicate column " + c.field.Name + " in " + table)
		}
		byName[c.field.Name] = i
	}
	md := arrow.NewMetadata(
		[]string{metaTable, metaSchemaVersion},
		[]string{table, fmt.Sprint(SchemaVersion)})
	return &codec[T]{table: table, schema: arrow.NewSchema(fields, &md), cols: cols, byName: byName}
}

// columnNames returns the names of the codec's columns in schema order.
func (c *codec[T]) columnNames() []string {
	names := make([]string, len(c.cols))
	for i, col := range c.cols {
		names[i] = col.field.Name
	}
	return names
}

// nullability says whether a column may hold nulls and, in Go, which value
// stands for null (see the conventions at the top of tables.go).
type nullability bool

const (
	required nullability = false // never null
	nullable nullability = true  // the Go zero value (or NaN for floats) is null
)

var timestampUTC = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}

func isType(id arrow.Type) func(arrow.DataType) bool {
	return func(dt arrow.DataType) bool { return dt.ID() == id }
}

// stringsOf returns the values of a as strings that share one copy of a's
// character data, so decoding a batch allocates once per column, not per cell.
// Null slots are "".
func stringsOf(a *array.String, dst []string) {
	offs := a.ValueOffsets()
	data := string(a.ValueBytes())
	base := offs[0]
	nulls := a.NullN() > 0
	for i := range dst {
		if nulls && a.IsNull(i) {
			dst[i] = ""
			continue
		}
		dst[i] = data[offs[i]-base : offs[i+1]-base]
	}
}

// reserveData makes room for n more bytes of string data, at least
// doubling the capacity when it grows: arrow's ReserveData grows to the
// exact size, so a row group built from many small writes would copy its
// data again at every write.
func reserveData(b *array.BinaryBuilder, n int) {
	if need := b.DataLen() + n; need > b.DataCap() {
		b.ReserveData(max(need, 2*b.DataCap()) - b.DataLen())
	}
}

// stringCol is a STRING column; when nullable, "" is written as null.
func stringCol[T any](name string, null nullability, f func(*T) *string) column[T] {
	return column[T]{
		field: arrow.Field{Name: name, Type: arrow.BinaryTypes.String, Nullable: bool(null)},
		kind:  "string",
		check: isType(arrow.STRING),
		append: func(ab array.Builder, rows []T) {
			b := ab.(*array.StringBuilder)
			size := 0
			for i := range rows {
				size += len(*f(&rows[i]))
			}
			b.Reserve(len(rows))
			reserveData(b.BinaryBuilder, size)
			for i := range rows {
				s := *f(&rows[i])
				if null == nullable && s == "" {
					b.AppendNull()
				} else {
					b.Append(s)
				}
			}
		},
		decode: func(a arrow.Array, rows []T) {
			vals := make([]string, len(rows))
			stringsOf(a.(*array.String), vals)
			for i := range rows {
				*f(&rows[i]) = vals[i]
			}
		},
	}
}

// int64Col is an INT64 column; when nullable, 0 is written as null.
func int64Col[T any](name string, null nullability, f func(*T) *int64) column[T] {
	return column[T]{
		field: arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Int64, Nullable: bool(null)},
		kind:  "int64",
		check: isType(arrow.INT64),
		append: func(ab array.Builder, rows []T) {
			b := ab.(*array.Int64Builder)
			b.Reserve(len(rows))
			for i := range rows {
				v := *f(&rows[i])
				if null == nullable && v == 0 {
					b.UnsafeAppendBoolToBitmap(false)
				} else {
					b.UnsafeAppend(v)
				}
			}
		},
		decode: func(a arrow.Array, rows []T) {
			ia := a.(*array.Int64)
			vals := ia.Int64Values()
			nulls := ia.NullN() > 0
			for i := range rows {
				if nulls && ia.IsNull(i) {
					*f(&rows[i]) = 0
				} else {
					*f(&rows[i]) = vals[i]
				}
			}
		},
	}
}

// int64PtrCol is a nullable INT64 column held in Go as a *int64 (nil = null),
// for columns where 0 is a real value.
func int64PtrCol[T any](name string, f func(*T) **int64) column[T] {
	return column[T]{
		field: arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		kind:  "*int64",
		check: isType(arrow.INT64),
		append: func(ab array.Builder, rows []T) {
			b := ab.(*array.Int64Builder)
			b.Reserve(len(rows))
			for i := range rows {
				if p := *f(&rows[i]); p == nil {
					b.UnsafeAppendBoolToBitmap(false)
				} else {
					b.UnsafeAppend(*p)
				}
			}
		},
		decode: func(a arrow.Array, rows []T) {
			ia := a.(*array.Int64)
			// One backing slice per batch; each row points at its own element.
			vals := append([]int64(nil), ia.Int64Values()...)
			for i := range rows {
				if ia.IsNull(i) {
					*f(&rows[i]) = nil
				} else {
					*f(&rows[i]) = &vals[i]
				}
			}
		},
	}
}

// float64Col is a DOUBLE column; when nullable, NaN is written as null. A
// required column stores NaN and ±Inf as values; a null read from a file
// written elsewhere becomes NaN.
func float64Col[T any](name string, null nullability, f func(*T) *float64) column[T] {
	return column[T]{
		field: arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Float64, Nullable: bool(null)},
		kind:  "float64",
		check: isType(arrow.FLOAT64),
		append: func(ab array.Builder, rows []T) {
			b := ab.(*array.Float64Builder)
			b.Reserve(len(rows))
			for i := range rows {
				v := *f(&rows[i])
				if null == nullable && math.IsNaN(v) {
					b.UnsafeAppendBoolToBitmap(false)
				} else {
					b.UnsafeAppend(v)
				}
			}
		},
		decode: func(a arrow.Array, rows []T) {
			fa := a.(*array.Float64)
			vals := fa.Float64Values()
			nulls := fa.NullN() > 0
			for i := range rows {
				if nulls && fa.IsNull(i) {
					*f(&rows[i]) = math.NaN()
				} else {
					*f(&rows[i]) = vals[i]
				}
			}
		},
	}
}

// boolCol is a required BOOLEAN column; a null read from a file written
// elsewhere becomes false.
func boolCol[T any](name string, f func(*T) *bool) column[T] {
	return column[T]{
		field: arrow.Field{Name: name, Type: arrow.FixedWidthTypes.Boolean},
		kind:  "bool",
		check: isType(arrow.BOOL),
		append: func(ab array.Builder, rows []T) {
			b := ab.(*array.BooleanBuilder)
			b.Reserve(len(rows))
			for i := range rows {
				b.UnsafeAppend(*f(&rows[i]))
			}
		},
		decode: func(a arrow.Array, rows []T) {
			ba := a.(*array.Boolean)
			for i := range rows {
				*f(&rows[i]) = ba.IsValid(i) && ba.Value(i)
			}
		},
	}
}

// timeCol is a TIMESTAMP column adjusted to UTC, in microseconds: finer
// precision is truncated. When nullable, the zero time is written as null.
// Read back, times are in UTC; any timestamp unit is accepted.
func timeCol[T any](name string, null nullability, f func(*T) *time.Time) column[T] {
	return column[T]{
		field: arrow.Field{Name: name, Type: timestampUTC, Nullable: bool(null)},
		kind:  "time.Time",
		check: isType(arrow.TIMESTAMP),
		append: func(ab array.Builder, rows []T) {
			b := ab.(*array.TimestampBuilder)
			b.Reserve(len(rows))
			for i := range rows {
				t := *f(&rows[i])
				if null == nullable && t.IsZero() {
					b.UnsafeAppendBoolToBitmap(false)
				} else {
					b.UnsafeAppend(arrow.Timestamp(t.UnixMicro()))
				}
			}
		},
		decode: func(a arrow.Array, rows []T) {
			ta := a.(*array.Timestamp)
			toTime := timeOfUnit(ta.DataType().(*arrow.TimestampType).Unit)
			vals := ta.TimestampValues()
			nulls := ta.NullN() > 0
			for i := range rows {
				if nulls && ta.IsNull(i) {
					*f(&rows[i]) = time.Time{}
				} else {
					*f(&rows[i]) = toTime(int64(vals[i])).UTC()
				}
			}
		},
	}
}

func timeOfUnit(u arrow.TimeUnit) func(int64) time.Time {
	switch u {
	case arrow.Second:
		return func(v int64) time.Time { return time.Unix(v, 0) }
	case arrow.Millisecond:
		return time.UnixMilli
	case arrow.Nanosecond:
		return func(v int64) time.Time { return time.Unix(0, v) }
	default:
		return time.UnixMicro
	}
}

// listCol is a required LIST of required STRING elements. An empty list is
// written as an empty list and read back as a nil slice.
func listCol[T any](name string, f func(*T) *[]string) column[T] {
	return column[T]{
		field: arrow.Field{Name: name, Type: arrow.ListOfNonNullable(arrow.BinaryTypes.String)},
		kind:  "[]string",
		check: func(dt arrow.DataType) bool {
			lt, ok := dt.(*arrow.ListType)
			return ok && lt.Elem().ID() == arrow.STRING
		},
		append: func(ab array.Builder, rows []T) {
			b := ab.(*array.ListBuilder)
			vb := b.ValueBuilder().(*array.StringBuilder)
			n, size := 0, 0
			for i := range rows {
				for _, s := range *f(&rows[i]) {
					n++
					size += len(s)
				}
			}
			b.Reserve(len(rows))
			vb.Reserve(n)
			reserveData(vb.BinaryBuilder, size)
			for i := range rows {
				b.Append(true)
				for _, s := range *f(&rows[i]) {
					vb.Append(s)
				}
			}
		},
		decode: func(a arrow.Array, rows []T) {
			la := a.(*array.List)
			off := la.Data().Offset()
			loffs := la.Offsets()[off : off+len(rows)+1]
			vals := la.ListValues().(*array.String)
			first, last := int(loffs[0]), int(loffs[len(rows)])
			// One backing slice for the batch; each row gets a capped window
			// of it, so an append to one row's list never touches the next.
			all := make([]string, vals.Len())
			stringsOf(vals, all)
			all = all[first:last]
			for i := range rows {
				s, e := int(loffs[i])-first, int(loffs[i+1])-first
				if s == e || la.IsNull(i) {
					*f(&rows[i]) = nil
				} else {
					*f(&rows[i]) = all[s:e:e]
				}
			}
		},
	}
}

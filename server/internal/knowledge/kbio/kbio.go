// Package kbio reads and writes knowledge-base entries as files: CSV, XLSX and JSON,
// for export, import and import templates.
//
// A table (CSV or XLSX) has a header row naming its columns, then one entry per row:
//
//	FAQs:     question, similar_questions, answer, category, tags, locale, expires_at, answer_<channel kind>...
//	articles: title, body, category, tags, locale, expires_at
//
// similar_questions holds one question per line (or separated by "|"); tags are
// separated by commas; category is a category id or a path of names from the top
// ("售后/退款"); expires_at is an RFC 3339 date-time or a date (UTC); an empty locale is
// the tenant's. Exports add the columns id and status first, which an import ignores,
// so an exported file imports as it is. A JSON file is an array of objects with the
// API's field names (channel_answers an object, similar_questions and tags arrays).
//
// Exported cells that a spreadsheet would run as a formula (starting with = + - @, a
// tab or a carriage return) are prefixed with an apostrophe, which an import removes
// again.
package kbio

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"github.com/kefu-io/kefu/server/internal/knowledge"
	"github.com/kefu-io/kefu/server/internal/platform/errs"
)

// Format is a file format.
type Format string

const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
	JSON Format = "json"
)

// ParseFormat validates a format name.
func ParseFormat(s string) (Format, bool) {
	switch f := Format(s); f {
	case CSV, XLSX, JSON:
		return f, true
	}
	return "", false
}

// ContentType is the media type of a format.
func (f Format) ContentType() string {
	switch f {
	case CSV:
		return "text/csv; charset=utf-8"
	case XLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "application/json"
}

// maxCellChars is the most an XLSX cell holds (Excel's limit, which excelize
// enforces by truncating).
const maxCellChars = 32767

// channelPrefix starts the column of a channel's answer (answer_wechat).
const channelPrefix = "answer_"

var (
	faqColumns     = []string{"question", "similar_questions", "answer", "category", "tags", "locale", "expires_at"}
	articleColumns = []string{"title", "body", "category", "tags", "locale", "expires_at"}
	exportOnly     = []string{"id", "status"}
)

func columns(k knowledge.Kind) []string {
	if k == knowledge.KindFAQ {
		return faqColumns
	}
	return articleColumns
}

func required(k knowledge.Kind) []string {
	if k == knowledge.KindFAQ {
		return []string{"question", "answer"}
	}
	return []string{"title", "body"}
}

// ---- writing ----------------------------------------------------------------------

// ErrCellTooLong is an XLSX export of a text longer than a cell holds.
var ErrCellTooLong = errs.New(errs.Unprocessable, "kb.export-cell-too-long",
	"An entry has a text longer than an XLSX cell holds (32,767 characters): export as CSV or JSON.")

// formulaStart says whether a spreadsheet would run s as a formula once its leading
// apostrophes are taken off. Escaping adds one apostrophe to such a cell, even to one
// that starts with apostrophes already, and unescaping takes one off, so every text
// survives the round trip.
func formulaStart(s string) bool {
	t := strings.TrimLeft(s, "'")
	return t != "" && strings.ContainsRune("=+-@\t\r", rune(t[0]))
}

// escapeFormula keeps a spreadsheet from running a cell as a formula.
func escapeFormula(s string) string {
	if formulaStart(s) {
		return "'" + s
	}
	return s
}

// unescapeFormula undoes escapeFormula.
func unescapeFormula(s string) string {
	if strings.HasPrefix(s, "'") && formulaStart(s) {
		return s[1:]
	}
	return s
}

func channelKinds(es []knowledge.Entry) []string {
	set := map[string]bool{}
	for _, e := range es {
		for k := range e.Content.ChannelAnswers {
			set[k] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

func formatTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func idString(id *uuid.UUID) string {
	if id == nil {
		return ""
	}
	return id.String()
}

// table is the header and rows of a table export.
func table(k knowledge.Kind, es []knowledge.Entry) [][]string {
	kinds := []string(nil)
	if k == knowledge.KindFAQ {
		kinds = channelKinds(es)
	}
	hdr := append(append([]string{}, exportOnly...), columns(k)...)
	for _, ck := range kinds {
		hdr = append(hdr, channelPrefix+ck)
	}
	out := [][]string{hdr}
	for _, e := range es {
		c := e.Content
		row := []string{e.ID.String(), string(e.Status)}
		if k == knowledge.KindFAQ {
			row = append(row, c.Question, joinCell(c.SimilarQuestions, "\n", similarSeps), c.Answer)
		} else {
			row = append(row, c.Title, c.Body)
		}
		row = append(row, idString(c.CategoryID), joinCell(c.Tags, ", ", tagSeps), c.Locale, formatTime(c.ExpiresAt))
		for _, ck := range kinds {
			row = append(row, c.ChannelAnswers[ck])
		}
		out = append(out, row)
	}
	return out
}

// Encode writes entries (their working copies, with their status) in a format.
func Encode(w io.Writer, k knowledge.Kind, f Format, es []knowledge.Entry) error {
	if f == JSON {
		return encodeJSON(w, k, es)
	}
	return writeTable(w, f, sheetName(k), table(k, es))
}

func sheetName(k knowledge.Kind) string {
	if k == knowledge.KindFAQ {
		return "FAQs"
	}
	return "Articles"
}

func writeTable(w io.Writer, f Format, sheet string, rows [][]string) error {
	for _, r := range rows {
		for i := range r {
			r[i] = escapeFormula(r[i])
		}
	}
	if f == CSV {
		// A byte-order mark: without it Excel reads UTF-8 as the local code page.
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return err
		}
		cw := csv.NewWriter(w)
		if err := cw.WriteAll(rows); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
		return nil
	}
	for _, r := range rows {
		for _, v := range r {
			if utf8.RuneCountInString(v) > maxCellChars {
				return ErrCellTooLong
			}
		}
	}
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	for i, r := range rows {
		vals := make([]any, len(r))
		for j, v := range r {
			vals[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, vals); err != nil {
			return fmt.Errorf("write xlsx: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	if _, err := x.WriteTo(w); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}

// jsonEntry is an entry in a JSON export.
type jsonEntry struct {
	ID               string            `json:"id"`
	Status           string            `json:"status"`
	Title            *string           `json:"title,omitempty"`
	Body             *string           `json:"body,omitempty"`
	Question         *string           `json:"question,omitempty"`
	SimilarQuestions []string          `json:"similar_questions,omitempty"`
	Answer           *string           `json:"answer,omitempty"`
	ChannelAnswers   map[string]string `json:"channel_answers,omitempty"`
	CategoryID       *uuid.UUID        `json:"category_id"`
	Tags             []string          `json:"tags"`
	Locale           string            `json:"locale"`
	ExpiresAt        *time.Time        `json:"expires_at"`
}

func encodeJSON(w io.Writer, k knowledge.Kind, es []knowledge.Entry) error {
	out := make([]jsonEntry, len(es))
	for i, e := range es {
		c := e.Content
		j := jsonEntry{ID: e.ID.String(), Status: string(e.Status), CategoryID: c.CategoryID, Tags: c.Tags, Locale: c.Locale, ExpiresAt: c.ExpiresAt}
		if j.Tags == nil {
			j.Tags = []string{}
		}
		if k == knowledge.KindFAQ {
			j.Question, j.Answer, j.ChannelAnswers = &c.Question, &c.Answer, c.ChannelAnswers
			j.SimilarQuestions = c.SimilarQuestions
			if j.SimilarQuestions == nil {
				j.SimilarQuestions = []string{}
			}
		} else {
			j.Title, j.Body = &c.Title, &c.Body
		}
		out[i] = j
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// Template writes a table (CSV or XLSX) to fill in for an import: the header and one
// example row.
func Template(w io.Writer, k knowledge.Kind, f Format) error {
	rows := [][]string{append([]string{}, columns(k)...)}
	if k == knowledge.KindFAQ {
		rows[0] = append(rows[0], channelPrefix+"wechat")
		rows = append(rows, []string{"如何申请退款？", "退款流程\n怎么退款", "在订单页点击“申请退款”，1–3 个工作日内退回原支付账户。", "",
			"售后, 退款", "zh-CN", "", "回复“退款”查看退款流程。"})
	} else {
		rows = append(rows, []string{"How do I reset my password?", "1. Open **Settings**.\n2. Click *Reset password*.", "", "account", "en", ""})
	}
	return writeTable(w, f, sheetName(k), rows)
}

// ---- reading ----------------------------------------------------------------------

// badFile is a file that cannot be read at all.
func badFile(format string, args ...any) error {
	return errs.Invalidf("file", format, args...)
}

// fileProblem is an import refused for a reason about the file as a whole, reported
// like a row's.
func fileProblem(row int, field, format string, args ...any) error {
	e := knowledge.ErrImportInvalid.WithMessage("The file is invalid; nothing was imported.")
	e.Fields = []errs.FieldError{{Row: row, Field: field, Message: fmt.Sprintf(format, args...)}}
	e.Field = field
	return e
}

// Decode reads an import file. defaultLocale is the locale of rows that name none.
// A file that cannot be read is a 400 naming the field "file"; a file whose header is
// wrong is ErrImportInvalid; problems of single rows are in each row's Problems.
func Decode(r io.Reader, k knowledge.Kind, f Format, defaultLocale string) ([]knowledge.ImportRow, error) {
	data, err := io.ReadAll(io.LimitReader(r, knowledge.MaxImportBytes+1))
	if err != nil {
		return nil, badFile("The file could not be read.")
	}
	if len(data) > knowledge.MaxImportBytes {
		return nil, ErrFileTooLarge
	}
	if len(bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\ufeff")))) == 0 {
		return nil, badFile("The file is empty.")
	}
	var rows []knowledge.ImportRow
	switch f {
	case JSON:
		rows, err = decodeJSON(data, k, defaultLocale)
	case XLSX:
		var recs []record
		if recs, err = readXLSX(data); err == nil {
			rows, err = decodeTable(recs, k, defaultLocale)
		}
	default:
		var recs []record
		if recs, err = readCSV(data); err == nil {
			rows, err = decodeTable(recs, k, defaultLocale)
		}
	}
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, badFile("The file has no rows to import.")
	}
	return rows, nil
}

// ErrFileTooLarge is an import file over MaxImportBytes.
var ErrFileTooLarge = errs.New(errs.TooLarge, "kb.import-too-large", "An import file is at most 10 MB.")

// record is a table row with its number in the file.
type record struct {
	row   int
	cells []string
}

func tooManyRows() error {
	return badFile("A file imports at most %d rows; split it.", knowledge.MaxImportRows)
}

func readCSV(data []byte) ([]record, error) {
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	cr.FieldsPerRecord = -1
	var out []record
	for {
		cells, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fileProblem(pe.StartLine, "file", "The CSV is malformed at line %d: %v.", pe.Line, pe.Err)
			}
			return nil, badFile("The file is not CSV.")
		}
		if len(out) > knowledge.MaxImportRows {
			return nil, tooManyRows()
		}
		// Rows are numbered as a spreadsheet shows them, not by lines of text: a
		// quoted cell may span several.
		out = append(out, record{row: len(out) + 1, cells: cells})
	}
}

func readXLSX(data []byte) ([]record, error) {
	x, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		RawCellValue: true,
		// A zip bomb is refused rather than inflated: a 10 MB file of text needs far less.
		UnzipSizeLimit: 200 << 20, UnzipXMLSizeLimit: 100 << 20,
	})
	if err != nil {
		return nil, badFile("The file is not an XLSX workbook.")
	}
	defer x.Close()
	sheets := x.GetSheetList()
	if len(sheets) == 0 {
		return nil, badFile("The workbook has no sheet.")
	}
	it, err := x.Rows(sheets[0])
	if err != nil {
		return nil, badFile("The first sheet of the workbook cannot be read.")
	}
	defer it.Close()
	var out []record
	for n := 1; it.Next(); n++ {
		cells, err := it.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fileProblem(n, "file", "Row %d cannot be read.", n)
		}
		if len(out) > knowledge.MaxImportRows {
			return nil, tooManyRows()
		}
		out = append(out, record{row: n, cells: cells})
	}
	if err := it.Error(); err != nil {
		return nil, badFile("The first sheet of the workbook cannot be read.")
	}
	return out, nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func decodeTable(recs []record, k knowledge.Kind, defaultLocale string) ([]knowledge.ImportRow, error) {
	for len(recs) > 0 && blank(recs[0].cells) {
		recs = recs[1:]
	}
	if len(recs) == 0 {
		return nil, badFile("The file is empty.")
	}
	hdr := recs[0]
	names := make([]string, len(hdr.cells))
	seen := map[string]bool{}
	var problems []errs.FieldError
	for i, h := range hdr.cells {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		names[i] = h
		switch {
		case h == "":
			continue
		case seen[h]:
			problems = append(problems, errs.FieldError{Row: hdr.row, Field: h, Message: fmt.Sprintf("The column %q appears twice.", h)})
		case !known(k, h):
			problems = append(problems, errs.FieldError{Row: hdr.row, Field: h, Message: fmt.Sprintf("%q is not a column of %s imports (the columns are %s, and %s<channel kind> for FAQs).",
				h, k, strings.Join(columns(k), ", "), channelPrefix)})
		}
		seen[h] = true
	}
	for _, r := range required(k) {
		if !seen[r] {
			problems = append(problems, errs.FieldError{Row: hdr.row, Field: r, Message: fmt.Sprintf("The header has no %q column.", r)})
		}
	}
	if len(problems) > 0 {
		e := knowledge.ErrImportInvalid.WithMessage("The header row is invalid; nothing was imported.")
		e.Fields, e.Field = problems, problems[0].Field
		return nil, e
	}
	var out []knowledge.ImportRow
	for _, rec := range recs[1:] {
		if blank(rec.cells) {
			continue
		}
		row := knowledge.ImportRow{Row: rec.row}
		fields := map[string]string{}
		for i, v := range rec.cells {
			if i < len(names) && names[i] != "" {
				fields[names[i]] = unescapeFormula(v)
			} else if strings.TrimSpace(v) != "" {
				row.Problems = append(row.Problems, errs.FieldError{Row: rec.row, Field: fmt.Sprintf("column %d", i+1),
					Message: fmt.Sprintf("Column %d has a value but no header.", i+1)})
			}
		}
		fillRow(&row, k, fields, defaultLocale)
		out = append(out, row)
	}
	return out, nil
}

func known(k knowledge.Kind, col string) bool {
	if slices.Contains(columns(k), col) || slices.Contains(exportOnly, col) {
		return true
	}
	return k == knowledge.KindFAQ && strings.HasPrefix(col, channelPrefix) && len(col) > len(channelPrefix)
}

// fillRow sets an import row from a table row's cells by column name.
func fillRow(row *knowledge.ImportRow, k knowledge.Kind, fields map[string]string, defaultLocale string) {
	in := &row.Input
	str := func(name string) *string {
		if v, ok := fields[name]; ok {
			return &v
		}
		return nil
	}
	if k == knowledge.KindFAQ {
		in.Question, in.Answer = str("question"), str("answer")
		if v := fields["similar_questions"]; strings.TrimSpace(v) != "" {
			sim := splitCell(v, similarSeps)
			in.SimilarQuestions = &sim
		}
		answers := map[string]string{}
		for name, v := range fields {
			if ck, ok := strings.CutPrefix(name, channelPrefix); ok && strings.TrimSpace(v) != "" {
				answers[ck] = v
			}
		}
		if len(answers) > 0 {
			in.ChannelAnswers = &answers
		}
	} else {
		in.Title, in.Body = str("title"), str("body")
	}
	row.Category = strings.TrimSpace(fields["category"])
	if v := fields["tags"]; strings.TrimSpace(v) != "" {
		t := splitCell(v, tagSeps)
		in.Tags = &t
	}
	loc := strings.TrimSpace(fields["locale"])
	if loc == "" {
		loc = defaultLocale
	}
	in.Locale = &loc
	if v := strings.TrimSpace(fields["expires_at"]); v != "" {
		t, ok := parseTime(v)
		if !ok {
			row.Problems = append(row.Problems, errs.FieldError{Row: row.Row, Field: "expires_at",
				Message: "expires_at must be a date-time like 2026-12-31T23:59:59Z or a date like 2026-12-31."})
		} else {
			in.ExpiresAt = knowledge.Nullable[time.Time]{Set: true, Value: &t}
		}
	}
}

// Separators of list cells. A cell holding a line break is one item per line (and
// only that), which is how exports write items that hold a separator.
const (
	similarSeps = "|"
	tagSeps     = ",，;；"
)

// splitCell reads a list cell: one item per line, or separated by seps.
func splitCell(s, seps string) []string {
	if strings.Contains(s, "\n") {
		seps = "\n"
	}
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// joinCell writes a list cell that splitCell reads back as the same items.
func joinCell(xs []string, sep, seps string) string {
	if !slices.ContainsFunc(xs, func(x string) bool { return strings.ContainsAny(x, seps) }) {
		return strings.Join(xs, sep)
	}
	if len(xs) == 1 {
		return xs[0] + "\n" // a line break says: items by line
	}
	return strings.Join(xs, "\n")
}

// parseTime reads an expiry date: RFC 3339, a date and time or a date (UTC), or an
// Excel serial date (a date cell read raw).
func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02", "2006/01/02", "2006/1/2"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f > 0 && f < 2958466 {
		if t, err := excelize.ExcelDateToTime(f, false); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func decodeJSON(data []byte, k knowledge.Kind, defaultLocale string) ([]knowledge.ImportRow, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	var items []json.RawMessage
	if err := json.Unmarshal(data, &items); err != nil {
		var wrapped struct {
			Items []json.RawMessage `json:"items"`
		}
		if err2 := json.Unmarshal(data, &wrapped); err2 != nil || wrapped.Items == nil {
			return nil, badFile("The file is not a JSON array of entries.")
		}
		items = wrapped.Items
	}
	if len(items) > knowledge.MaxImportRows {
		return nil, tooManyRows()
	}
	out := make([]knowledge.ImportRow, 0, len(items))
	for i, raw := range items {
		row := knowledge.ImportRow{Row: i + 1}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
			row.Problems = append(row.Problems, errs.FieldError{Row: row.Row, Field: "", Message: "The item is not an object."})
			out = append(out, row)
			continue
		}
		fields := map[string]string{}
		bad := func(name, want string) {
			row.Problems = append(row.Problems, errs.FieldError{Row: row.Row, Field: name, Message: fmt.Sprintf("%s must be %s.", name, want)})
		}
		lists := map[string][]string{}
		for _, name := range []string{"similar_questions", "tags"} {
			v, ok := obj[name]
			if !ok || string(v) == "null" || (name == "similar_questions" && k != knowledge.KindFAQ) {
				continue
			}
			var xs []string
			var s string
			switch {
			case json.Unmarshal(v, &xs) == nil:
				lists[name] = xs
			case json.Unmarshal(v, &s) == nil:
				fields[name] = s // split like a cell
			default:
				bad(name, "a list of strings")
			}
		}
		for name, v := range obj {
			switch name {
			case "tags", "id", "status":
				continue
			case "similar_questions", "channel_answers":
				if k == knowledge.KindFAQ {
					continue
				}
			case "category_id":
				name = "category"
			}
			if !known(k, name) || strings.HasPrefix(name, channelPrefix) {
				row.Problems = append(row.Problems, errs.FieldError{Row: row.Row, Field: name, Message: fmt.Sprintf("Unknown field %q.", name)})
				continue
			}
			if string(v) == "null" {
				continue
			}
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				bad(name, "a string")
				continue
			}
			fields[name] = s
		}
		if v, ok := obj["channel_answers"]; ok && k == knowledge.KindFAQ && string(v) != "null" {
			var m map[string]string
			if err := json.Unmarshal(v, &m); err != nil {
				bad("channel_answers", "an object of strings by channel kind")
			}
			for ck, a := range m {
				fields[channelPrefix+ck] = a
			}
		}
		fillRow(&row, k, fields, defaultLocale)
		// Items of a JSON list are taken as they are, separators and all.
		if xs, ok := lists["similar_questions"]; ok {
			row.Input.SimilarQuestions = &xs
		}
		if xs, ok := lists["tags"]; ok {
			row.Input.Tags = &xs
		}
		out = append(out, row)
	}
	return out, nil
}

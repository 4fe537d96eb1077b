// Package hours answers business-hours questions for routing and SLA timers: is a
// team open now, when does it open or close next, when is a due date N business
// minutes away, and how much business time lies between two instants.
//
// A Schedule is the stored, user-edited form (JSON, validated with Validate);
// Compile turns it into a Calendar, which is what hot paths query. The package is
// pure: no I/O beyond loading the time zone, no logging, no clock of its own.
//
// Intervals are local wall-clock times in the schedule's zone. A wall time is
// resolved to the first instant at which the local clock shows that time or later.
// So on a spring-forward day an interval starting in the skipped hour (02:30 in New
// York on 2026-03-08) opens when the clock jumps (03:00 EDT), and an ambiguous
// fall-back time means its first occurrence. Bare time.Date is not used for this on
// its own because it picks either side of a transition depending on the zone's
// offset sign (it moves 02:30 back to 01:30 EST in New York but forward to 03:30
// CEST in Berlin), which would make the same schedule behave differently by zone.
//
// Searches (NextOpen, NextClose, Add) look at most HorizonDays local days past
// their starting instant and report false beyond that, so a schedule that never
// opens again costs a bounded amount of work.
package hours

import (
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	// Embedded zone data: containers and minimal images often ship without
	// /usr/share/zoneinfo, and a schedule whose zone fails to load there would be
	// rejected on one server and accepted on another.
	_ "time/tzdata"
)

// Limits keep a stored schedule small enough to validate and compile on every
// request without thinking about cost.
const (
	MaxIntervalsPerDay = 8
	MaxHolidays        = 500
	MaxHolidayName     = 100 // characters
	maxTimeZoneLen     = 64
)

// Schedule is the stored form of a business-hours calendar. Its JSON shape is
// served by the API as is, so field names and encodings are part of the contract.
type Schedule struct {
	// TimeZone is an IANA zone name ("Asia/Shanghai"); every time of day and
	// date in the schedule is read in it.
	TimeZone string    `json:"time_zone"`
	Weekly   Week      `json:"weekly"`
	Holidays []Holiday `json:"holidays,omitempty"`
}

// Week holds the regular hours of each weekday. A day without intervals is
// closed, so a missing JSON key means closed.
type Week struct {
	Mon []Interval `json:"mon,omitempty"`
	Tue []Interval `json:"tue,omitempty"`
	Wed []Interval `json:"wed,omitempty"`
	Thu []Interval `json:"thu,omitempty"`
	Fri []Interval `json:"fri,omitempty"`
	Sat []Interval `json:"sat,omitempty"`
	Sun []Interval `json:"sun,omitempty"`
}

// Day returns the intervals of weekday d, so code can loop over time.Weekday
// instead of naming the seven fields.
func (w Week) Day(d time.Weekday) []Interval {
	switch d {
	case time.Monday:
		return w.Mon
	case time.Tuesday:
		return w.Tue
	case time.Wednesday:
		return w.Wed
	case time.Thursday:
		return w.Thu
	case time.Friday:
		return w.Fri
	case time.Saturday:
		return w.Sat
	case time.Sunday:
		return w.Sun
	}
	return nil
}

// dayKeys are the JSON keys of Week, indexed by time.Weekday, for error fields.
var dayKeys = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// Interval is one opening on a day, as local times of day "HH:MM" ("9:00" is
// accepted too). End may be "24:00". An End at or before Start spans midnight:
// {"22:00", "06:00"} on Friday is open from Friday 22:00 to Saturday 06:00, and it
// belongs to Friday for holiday purposes.
type Interval struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// Holiday replaces the weekly hours of one date. Without Intervals the date is
// closed all day; with them the date has exactly those hours, which covers both
// reduced hours and make-up working days (a Saturday worked in exchange for a
// holiday, as with China's 调休).
type Holiday struct {
	// Date is a calendar date "YYYY-MM-DD" in the schedule's zone.
	Date      string     `json:"date"`
	Name      string     `json:"name,omitempty"`
	Intervals []Interval `json:"intervals,omitempty"`
}

// FieldError reports the first invalid value in a Schedule. Field is the JSON
// path of the value ("weekly.mon[1].end", "holidays[3].date") so an API can point
// the user at it; Reason is an English sentence fit to show them.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// span is a parsed Interval: minutes after the local midnight of the day it
// belongs to. end > start always; end > 1440 means it spans midnight.
type span struct{ start, end int32 }

const minutesPerDay = 24 * 60

// Validate reports the first problem in s as a *FieldError, or nil. It never
// panics, whatever the input.
//
// Overlapping intervals are rejected within one day's list only. An interval
// spanning midnight may overlap the next day's hours (Fri 22:00–06:00 with Sat
// 05:00–12:00); that is treated as one open stretch, because the next day's list
// can be a holiday's special hours that the weekly editor never sees side by side.
func (s Schedule) Validate() error {
	if _, err := s.compile(); err != nil {
		return err
	}
	return nil // not the typed nil *FieldError, which would be a non-nil error
}

// Compile validates s and prepares it for queries: the zone is loaded and the
// times parsed once, so Calendar methods do no parsing.
func Compile(s Schedule) (*Calendar, error) {
	c, err := s.compile()
	if err != nil {
		return nil, err
	}
	return c, nil
}

// compile is Validate and Compile in one pass, so they cannot disagree.
func (s Schedule) compile() (*Calendar, *FieldError) {
	loc, err := loadZone(s.TimeZone)
	if err != nil {
		return nil, err
	}
	c := &Calendar{loc: loc}
	for d := time.Sunday; d <= time.Saturday; d++ {
		// Report in the order users read a week: Monday first.
		wd := (d + 1) % 7
		spans, err := parseDay("weekly."+dayKeys[wd], s.Weekly.Day(wd))
		if err != nil {
			return nil, err
		}
		c.weekly[wd] = spans
	}
	if len(s.Holidays) > MaxHolidays {
		return nil, fieldErr("holidays", "at most %d holidays are allowed", MaxHolidays)
	}
	if len(s.Holidays) > 0 {
		c.holidays = make(map[int64][]span, len(s.Holidays))
	}
	seen := make(map[int64]int, len(s.Holidays))
	for i, h := range s.Holidays {
		field := "holidays[" + strconv.Itoa(i) + "]"
		day, ok := parseDate(h.Date)
		if !ok {
			return nil, fieldErr(field+".date", "must be a date like 2026-10-01")
		}
		if j, dup := seen[day]; dup {
			return nil, fieldErr(field+".date", "%s is already listed as holidays[%d]", h.Date, j)
		}
		seen[day] = i
		if utf8.RuneCountInString(h.Name) > MaxHolidayName {
			return nil, fieldErr(field+".name", "must be at most %d characters", MaxHolidayName)
		}
		spans, err := parseDay(field+".intervals", h.Intervals)
		if err != nil {
			return nil, err
		}
		if spans == nil {
			spans = []span{} // present in the map and empty: closed all day
		}
		c.holidays[day] = spans
	}
	return c, nil
}

func loadZone(name string) (*time.Location, *FieldError) {
	switch {
	case name == "":
		return nil, fieldErr("time_zone", "is required")
	case name == "Local":
		// "Local" is whatever zone the server runs in, not a place.
		return nil, fieldErr("time_zone", "must be an IANA time zone such as Asia/Shanghai")
	case len(name) > maxTimeZoneLen:
		return nil, fieldErr("time_zone", "is not a known time zone")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fieldErr("time_zone", "%q is not a known time zone", name)
	}
	return loc, nil
}

// parseDay parses and checks one day's intervals; field is the JSON path of the
// list. It returns them sorted by start.
func parseDay(field string, ivs []Interval) ([]span, *FieldError) {
	if len(ivs) == 0 {
		return nil, nil
	}
	if len(ivs) > MaxIntervalsPerDay {
		return nil, fieldErr(field, "at most %d intervals per day are allowed", MaxIntervalsPerDay)
	}
	spans := make([]span, len(ivs))
	for i, iv := range ivs {
		f := field + "[" + strconv.Itoa(i) + "]"
		start, ok := parseClock(iv.Start)
		if !ok || start == minutesPerDay {
			return nil, fieldErr(f+".start", "must be a time of day from 00:00 to 23:59")
		}
		end, ok := parseClock(iv.End)
		if !ok {
			return nil, fieldErr(f+".end", "must be a time of day from 00:00 to 24:00")
		}
		if end == start {
			return nil, fieldErr(f+".end", "must differ from the start")
		}
		if end < start {
			end += minutesPerDay
		}
		spans[i] = span{start, end}
	}
	// Check overlaps in start order, blaming the later-listed of the two.
	order := make([]int, len(spans))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return int(spans[a].start - spans[b].start) })
	for k := 1; k < len(order); k++ {
		a, b := order[k-1], order[k]
		if spans[a].end > spans[b].start {
			if a > b {
				a, b = b, a
			}
			return nil, fieldErr(field+"["+strconv.Itoa(b)+"]", "overlaps %s–%s", ivs[a].Start, ivs[a].End)
		}
	}
	sorted := make([]span, len(spans))
	for k, i := range order {
		sorted[k] = spans[i]
	}
	return sorted, nil
}

// parseClock parses "H:MM" or "HH:MM" into minutes after midnight, allowing
// "24:00" (1440) so a day can end at midnight without spanning it.
func parseClock(s string) (int32, bool) {
	var h string
	switch {
	case len(s) == 4 && s[1] == ':':
		h = s[:1]
	case len(s) == 5 && s[2] == ':':
		h = s[:2]
	default:
		return 0, false
	}
	m := s[len(s)-2:]
	if !digits(h) || !digits(m) {
		return 0, false
	}
	hh, _ := strconv.Atoi(h)
	mm, _ := strconv.Atoi(m)
	if hh > 24 || mm > 59 || hh == 24 && mm != 0 {
		return 0, false
	}
	return int32(hh*60 + mm), true
}

// parseDate parses a strict "YYYY-MM-DD" into days since 1970-01-01. It is
// hand-written because time.Parse accepts a signed year such as "+026-10-01".
func parseDate(s string) (int64, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' || !digits(s[:4]) || !digits(s[5:7]) || !digits(s[8:]) {
		return 0, false
	}
	y, _ := strconv.Atoi(s[:4])
	m, _ := strconv.Atoi(s[5:7])
	d, _ := strconv.Atoi(s[8:])
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return 0, false
	}
	if t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC); t.Day() != d {
		return 0, false // 2026-02-30
	}
	return civilDays(y, time.Month(m), d), true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// civilDays returns the number of days from 1970-01-01 to y-m-d in the proleptic
// Gregorian calendar (Howard Hinnant's days_from_civil). It lets the hot paths
// turn a local date into a map key and a weekday without building a time.Time.
func civilDays(y int, m time.Month, d int) int64 {
	yy := int64(y)
	if m <= time.February {
		yy--
	}
	era := yy / 400
	if yy < 0 && yy%400 != 0 {
		era--
	}
	yoe := yy - era*400
	mp := (int64(m) + 9) % 12
	doy := (153*mp+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// weekday of a civilDays number; 1970-01-01 was a Thursday.
func weekday(day int64) time.Weekday {
	w := (day + 4) % 7
	if w < 0 {
		w += 7
	}
	return time.Weekday(w)
}

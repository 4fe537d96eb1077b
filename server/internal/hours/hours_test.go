package hours

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// at parses a local "2006-01-02 15:04" in zone. Use it only for wall times that
// exist exactly once; DST edge cases are written as UTC instants.
func at(t testing.TB, zone, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func utc(t testing.TB, s string) time.Time { return at(t, "UTC", s) }

func compile(t testing.TB, s Schedule) *Calendar {
	t.Helper()
	c, err := Compile(s)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return c
}

func iv(start, end string) Interval { return Interval{start, end} }

func ivs(pairs ...string) []Interval {
	var out []Interval
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, iv(pairs[i], pairs[i+1]))
	}
	return out
}

const sh = "Asia/Shanghai"

// office is a Shanghai team with a lunch break, the 2026 National Day Golden
// Week, two make-up working days and one day of short hours.
// 2026-10-01 is a Thursday.
func office() Schedule {
	day := ivs("09:00", "12:00", "13:00", "18:00")
	s := Schedule{
		TimeZone: sh,
		Weekly:   Week{Mon: day, Tue: day, Wed: day, Thu: day, Fri: day},
		Holidays: []Holiday{
			{Date: "2026-09-25", Name: "short day", Intervals: ivs("09:00", "15:00")},
			{Date: "2026-09-27", Name: "调休", Intervals: ivs("09:00", "18:00")},
			{Date: "2026-10-10", Name: "调休", Intervals: ivs("09:00", "18:00")},
		},
	}
	for d := 1; d <= 7; d++ {
		s.Holidays = append(s.Holidays, Holiday{Date: fmt.Sprintf("2026-10-%02d", d), Name: "国庆节"})
	}
	return s
}

// night is open Friday 22:00 to Saturday 06:00, then Saturday 06:00–10:00, with a
// Saturday holiday (2026-10-17) and a Friday holiday (2026-10-23).
func night() Schedule {
	return Schedule{
		TimeZone: "UTC",
		Weekly:   Week{Fri: ivs("22:00", "06:00"), Sat: ivs("06:00", "10:00")},
		Holidays: []Holiday{{Date: "2026-10-17"}, {Date: "2026-10-23"}},
	}
}

func sundays(zone string, pairs ...string) Schedule {
	return Schedule{TimeZone: zone, Weekly: Week{Sun: ivs(pairs...)}}
}

func TestIsOpen(t *testing.T) {
	off, nt := compile(t, office()), compile(t, night())
	ny := compile(t, sundays("America/New_York", "01:00", "04:00"))
	nyGap := compile(t, sundays("America/New_York", "02:30", "05:00", "09:00", "09:30"))
	nyAmb := compile(t, sundays("America/New_York", "01:30", "01:45"))
	ber := compile(t, sundays("Europe/Berlin", "01:00", "04:00"))
	berAmb := compile(t, sundays("Europe/Berlin", "02:30", "02:45"))
	kol := compile(t, Schedule{TimeZone: "Asia/Kolkata", Weekly: Week{Mon: ivs("09:00", "17:00")}})
	lh := compile(t, sundays("Australia/Lord_Howe", "01:00", "04:00"))
	tests := []struct {
		name string
		c    *Calendar
		t    time.Time
		want bool
	}{
		{"morning", off, at(t, sh, "2026-10-13 09:00"), true},
		{"before opening", off, at(t, sh, "2026-10-13 08:59"), false},
		{"lunch break", off, at(t, sh, "2026-10-13 12:30"), false},
		{"end of lunch", off, at(t, sh, "2026-10-13 13:00"), true},
		{"closing instant is closed", off, at(t, sh, "2026-10-13 18:00"), false},
		{"weekend", off, at(t, sh, "2026-10-17 10:00"), false},
		{"golden week", off, at(t, sh, "2026-10-05 10:00"), false},
		{"make-up sunday", off, at(t, sh, "2026-09-27 12:30"), true},
		{"make-up saturday", off, at(t, sh, "2026-10-10 17:59"), true},
		{"short day open", off, at(t, sh, "2026-09-25 14:59"), true},
		{"short day closed", off, at(t, sh, "2026-09-25 15:00"), false},
		{"friday night", nt, utc(t, "2026-10-09 23:00"), true},
		{"spans into saturday", nt, utc(t, "2026-10-10 03:00"), true},
		{"saturday holiday keeps friday's night", nt, utc(t, "2026-10-17 03:00"), true},
		{"saturday holiday closes saturday's own hours", nt, utc(t, "2026-10-17 07:00"), false},
		{"friday holiday removes the night", nt, utc(t, "2026-10-24 03:00"), false},
		{"friday holiday keeps saturday's own hours", nt, utc(t, "2026-10-24 07:00"), true},
		{"thursday night", nt, utc(t, "2026-10-08 23:00"), false},
		// New York 2026-03-08: 02:00 EST jumps to 03:00 EDT at 07:00Z.
		{"ny spring 01:30 EST", ny, utc(t, "2026-03-08 06:30"), true},
		{"ny spring 03:59 EDT", ny, utc(t, "2026-03-08 07:59"), true},
		{"ny spring 04:00 EDT", ny, utc(t, "2026-03-08 08:00"), false},
		{"ny skipped start not before jump", nyGap, utc(t, "2026-03-08 06:59"), false},
		{"ny skipped start opens at jump", nyGap, utc(t, "2026-03-08 07:00"), true},
		// New York 2026-11-01: 02:00 EDT falls back to 01:00 EST at 06:00Z.
		{"ny fall first 01:30 EDT", ny, utc(t, "2026-11-01 05:30"), true},
		{"ny fall second 01:30 EST", ny, utc(t, "2026-11-01 06:30"), true},
		{"ny fall 03:59 EST", ny, utc(t, "2026-11-01 08:59"), true},
		{"ny fall 04:00 EST", ny, utc(t, "2026-11-01 09:00"), false},
		{"ny ambiguous first occurrence", nyAmb, utc(t, "2026-11-01 05:35"), true},
		{"ny ambiguous second occurrence", nyAmb, utc(t, "2026-11-01 06:35"), false},
		// Berlin 2026-03-29 02:00 CET → 03:00 CEST at 01:00Z; 2026-10-25 03:00
		// CEST → 02:00 CET at 01:00Z.
		{"berlin spring 03:59 CEST", ber, utc(t, "2026-03-29 01:59"), true},
		{"berlin spring 04:00 CEST", ber, utc(t, "2026-03-29 02:00"), false},
		{"berlin fall 03:59 CET", ber, utc(t, "2026-10-25 02:59"), true},
		{"berlin ambiguous first occurrence", berAmb, utc(t, "2026-10-25 00:35"), true},
		{"berlin ambiguous second occurrence", berAmb, utc(t, "2026-10-25 01:35"), false},
		{"kolkata opens 03:30Z", kol, utc(t, "2026-10-12 03:30"), true},
		{"kolkata before", kol, utc(t, "2026-10-12 03:29"), false},
		{"kolkata closes 11:30Z", kol, utc(t, "2026-10-12 11:30"), false},
		// Lord Howe 2026-10-04: 02:00 +10:30 → 02:30 +11 at 15:30Z the day before.
		{"lord howe spring 03:59", lh, utc(t, "2026-10-03 16:59"), true},
		{"lord howe spring 04:00", lh, utc(t, "2026-10-03 17:00"), false},
		{"always open", AlwaysOpen(), utc(t, "2026-10-03 17:00"), true},
		{"nil is always open", nil, utc(t, "2026-10-03 17:00"), true},
		{"zero is always open", &Calendar{}, utc(t, "2026-10-03 17:00"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.IsOpen(tt.t); got != tt.want {
				t.Errorf("IsOpen(%v) = %v, want %v", tt.t, got, tt.want)
			}
		})
	}
}

func TestTimeZonesDiffer(t *testing.T) {
	weekdays := ivs("09:00", "18:00")
	w := Week{Mon: weekdays, Tue: weekdays, Wed: weekdays, Thu: weekdays, Fri: weekdays}
	shanghai := compile(t, Schedule{TimeZone: sh, Weekly: w})
	newYork := compile(t, Schedule{TimeZone: "America/New_York", Weekly: w})
	utcCal := compile(t, Schedule{TimeZone: "UTC", Weekly: w})
	instant := at(t, sh, "2026-10-13 10:00") // Monday 22:00 in New York, 02:00 UTC
	if !shanghai.IsOpen(instant) || newYork.IsOpen(instant) || utcCal.IsOpen(instant) {
		t.Errorf("open in Shanghai/New York/UTC = %v/%v/%v, want true/false/false",
			shanghai.IsOpen(instant), newYork.IsOpen(instant), utcCal.IsOpen(instant))
	}
	if got, _ := newYork.NextOpen(instant); !got.Equal(at(t, "America/New_York", "2026-10-13 09:00")) {
		t.Errorf("New York NextOpen = %v", got)
	}
	if got, _ := newYork.NextOpen(instant); got.Location() != instant.Location() {
		t.Errorf("NextOpen location = %v, want the argument's %v", got.Location(), instant.Location())
	}
	if newYork.Location().String() != "America/New_York" {
		t.Errorf("Location = %v", newYork.Location())
	}
}

func TestNextOpen(t *testing.T) {
	off, nt := compile(t, office()), compile(t, night())
	ny := compile(t, sundays("America/New_York", "01:00", "04:00"))
	nyGap := compile(t, sundays("America/New_York", "02:30", "05:00"))
	nyInGap := compile(t, sundays("America/New_York", "02:00", "02:30"))
	ber := compile(t, sundays("Europe/Berlin", "02:30", "05:00"))
	lh := compile(t, Schedule{TimeZone: "Australia/Lord_Howe", Weekly: Week{Sun: ivs("02:00", "03:00")}})
	kol := compile(t, Schedule{TimeZone: "Asia/Kolkata", Weekly: Week{Mon: ivs("09:00", "17:00")}})
	never := compile(t, Schedule{TimeZone: sh})
	past := compile(t, Schedule{TimeZone: sh, Holidays: []Holiday{{Date: "2020-01-04", Intervals: ivs("09:00", "10:00")}}})
	tests := []struct {
		name   string
		c      *Calendar
		t      time.Time
		want   time.Time
		wantOK bool
	}{
		{"open now", off, at(t, sh, "2026-10-13 10:00"), at(t, sh, "2026-10-13 10:00"), true},
		{"lunch", off, at(t, sh, "2026-10-13 12:30"), at(t, sh, "2026-10-13 13:00"), true},
		{"early morning", off, at(t, sh, "2026-10-13 03:00"), at(t, sh, "2026-10-13 09:00"), true},
		{"across weekend", off, at(t, sh, "2026-10-16 18:00"), at(t, sh, "2026-10-19 09:00"), true},
		{"across golden week", off, at(t, sh, "2026-09-30 18:00"), at(t, sh, "2026-10-08 09:00"), true},
		{"inside golden week", off, at(t, sh, "2026-10-03 11:00"), at(t, sh, "2026-10-08 09:00"), true},
		{"to make-up saturday", off, at(t, sh, "2026-10-09 18:00"), at(t, sh, "2026-10-10 09:00"), true},
		{"to make-up sunday", off, at(t, sh, "2026-09-26 12:00"), at(t, sh, "2026-09-27 09:00"), true},
		{"short day closed early", off, at(t, sh, "2026-09-25 15:00"), at(t, sh, "2026-09-27 09:00"), true},
		{"night in progress", nt, utc(t, "2026-10-10 05:00"), utc(t, "2026-10-10 05:00"), true},
		{"night after friday holiday", nt, utc(t, "2026-10-23 12:00"), utc(t, "2026-10-24 06:00"), true},
		{"ny spring forward", ny, utc(t, "2026-03-07 12:00"), utc(t, "2026-03-08 06:00"), true},
		{"ny fall back", ny, utc(t, "2026-10-31 12:00"), utc(t, "2026-11-01 05:00"), true},
		{"ny start in skipped hour opens at the jump", nyGap, utc(t, "2026-03-08 05:00"), utc(t, "2026-03-08 07:00"), true},
		{"ny interval wholly skipped", nyInGap, utc(t, "2026-03-08 05:00"), at(t, "America/New_York", "2026-03-15 02:00"), true},
		{"berlin start in skipped hour opens at the jump", ber, utc(t, "2026-03-28 12:00"), utc(t, "2026-03-29 01:00"), true},
		// Lord Howe 2026-10-04 skips 02:00–02:30: 02:00 resolves to the jump.
		{"lord howe half-hour gap", lh, utc(t, "2026-10-03 12:00"), utc(t, "2026-10-03 15:30"), true},
		{"kolkata half-hour offset", kol, utc(t, "2026-10-10 00:00"), utc(t, "2026-10-12 03:30"), true},
		{"never open", never, utc(t, "2026-10-10 00:00"), time.Time{}, false},
		{"only past holidays", past, utc(t, "2026-10-10 00:00"), time.Time{}, false},
		{"past holiday found", past, utc(t, "2019-12-31 00:00"), at(t, sh, "2020-01-04 09:00"), true},
		{"always open", AlwaysOpen(), utc(t, "2026-10-10 00:00"), utc(t, "2026-10-10 00:00"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.c.NextOpen(tt.t)
			if ok != tt.wantOK || !got.Equal(tt.want) {
				t.Errorf("NextOpen(%v) = %v, %v; want %v, %v", tt.t, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestNextClose(t *testing.T) {
	off, nt := compile(t, office()), compile(t, night())
	touching := compile(t, Schedule{TimeZone: sh, Weekly: Week{
		Mon: ivs("09:00", "12:00", "12:00", "18:00", "20:00", "24:00"),
		Tue: ivs("00:00", "02:00"),
	}})
	overlapNextDay := compile(t, Schedule{TimeZone: "UTC", Weekly: Week{Fri: ivs("22:00", "06:00"), Sat: ivs("05:00", "12:00")}})
	allWeek := ivs("00:00", "24:00")
	always := compile(t, Schedule{TimeZone: sh, Weekly: Week{allWeek, allWeek, allWeek, allWeek, allWeek, allWeek, allWeek}})
	ny := compile(t, sundays("America/New_York", "01:00", "04:00"))
	tests := []struct {
		name   string
		c      *Calendar
		t      time.Time
		want   time.Time
		wantOK bool
	}{
		{"before lunch", off, at(t, sh, "2026-10-13 10:00"), at(t, sh, "2026-10-13 12:00"), true},
		{"afternoon", off, at(t, sh, "2026-10-13 13:00"), at(t, sh, "2026-10-13 18:00"), true},
		{"closed", off, at(t, sh, "2026-10-13 12:30"), time.Time{}, false},
		{"short day", off, at(t, sh, "2026-09-25 10:00"), at(t, sh, "2026-09-25 15:00"), true},
		{"touching same day", touching, at(t, sh, "2026-10-12 10:00"), at(t, sh, "2026-10-12 18:00"), true},
		{"24:00 touching next day", touching, at(t, sh, "2026-10-12 21:00"), at(t, sh, "2026-10-13 02:00"), true},
		{"midnight span touching next day", nt, utc(t, "2026-10-09 23:00"), utc(t, "2026-10-10 10:00"), true},
		{"saturday holiday cuts the merge", nt, utc(t, "2026-10-16 23:00"), utc(t, "2026-10-17 06:00"), true},
		{"overlapping next day merges", overlapNextDay, utc(t, "2026-10-09 23:00"), utc(t, "2026-10-10 12:00"), true},
		{"ny fall back", ny, utc(t, "2026-11-01 05:00"), utc(t, "2026-11-01 09:00"), true},
		{"ny spring forward", ny, utc(t, "2026-03-08 06:00"), utc(t, "2026-03-08 08:00"), true},
		{"open beyond the horizon", always, at(t, sh, "2026-10-12 10:00"), time.Time{}, false},
		{"AlwaysOpen never closes", AlwaysOpen(), at(t, sh, "2026-10-12 10:00"), time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.c.NextClose(tt.t)
			if ok != tt.wantOK || !got.Equal(tt.want) {
				t.Errorf("NextClose(%v) = %v, %v; want %v, %v", tt.t, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestAdd(t *testing.T) {
	off, nt := compile(t, office()), compile(t, night())
	ny := compile(t, sundays("America/New_York", "01:00", "04:00"))
	ber := compile(t, sundays("Europe/Berlin", "01:00", "04:00"))
	mondayHour := compile(t, Schedule{TimeZone: "UTC", Weekly: Week{Mon: ivs("09:00", "10:00")}})
	never := compile(t, Schedule{TimeZone: sh})
	tests := []struct {
		name   string
		c      *Calendar
		t      time.Time
		d      time.Duration
		want   time.Time
		wantOK bool
	}{
		{"within a morning", off, at(t, sh, "2026-10-13 09:00"), 2 * time.Hour, at(t, sh, "2026-10-13 11:00"), true},
		{"over lunch", off, at(t, sh, "2026-10-13 11:30"), time.Hour, at(t, sh, "2026-10-13 13:30"), true},
		{"ends at closing", off, at(t, sh, "2026-10-13 17:00"), time.Hour, at(t, sh, "2026-10-13 18:00"), true},
		{"over the weekend", off, at(t, sh, "2026-10-16 17:00"), 2 * time.Hour, at(t, sh, "2026-10-19 10:00"), true},
		{"three working days", off, at(t, sh, "2026-10-12 09:00"), 24 * time.Hour, at(t, sh, "2026-10-14 18:00"), true},
		{"three days and a minute", off, at(t, sh, "2026-10-12 09:00"), 24*time.Hour + time.Minute, at(t, sh, "2026-10-15 09:01"), true},
		{"from a closed time", off, at(t, sh, "2026-10-17 10:00"), time.Minute, at(t, sh, "2026-10-19 09:01"), true},
		{"over golden week", off, at(t, sh, "2026-09-30 17:00"), 2 * time.Hour, at(t, sh, "2026-10-08 10:00"), true},
		{"zero", off, at(t, sh, "2026-10-17 10:00"), 0, at(t, sh, "2026-10-17 10:00"), true},
		{"negative", off, at(t, sh, "2026-10-13 10:00"), -time.Minute, time.Time{}, false},
		{"sub-second", off, at(t, sh, "2026-10-13 17:59").Add(59 * time.Second), 1500 * time.Millisecond, at(t, sh, "2026-10-14 09:00").Add(500 * time.Millisecond), true},
		{"through the night", nt, utc(t, "2026-10-09 23:00"), 10 * time.Hour, utc(t, "2026-10-10 09:00"), true},
		{"ny spring day has 2h", ny, utc(t, "2026-03-08 05:00"), 2 * time.Hour, utc(t, "2026-03-08 08:00"), true},
		{"ny spring day then next sunday", ny, utc(t, "2026-03-08 05:00"), 2*time.Hour + time.Minute, utc(t, "2026-03-15 05:01"), true},
		{"ny fall day has 4h", ny, utc(t, "2026-11-01 04:00"), 4 * time.Hour, utc(t, "2026-11-01 09:00"), true},
		{"berlin spring day has 2h", ber, utc(t, "2026-03-28 12:00"), 2 * time.Hour, utc(t, "2026-03-29 02:00"), true},
		{"berlin fall day has 4h", ber, utc(t, "2026-10-24 12:00"), 4 * time.Hour, utc(t, "2026-10-25 03:00"), true},
		{"beyond the horizon", mondayHour, utc(t, "2026-10-12 00:00"), 100 * time.Hour, time.Time{}, false},
		{"within the horizon", mondayHour, utc(t, "2026-10-12 00:00"), 50 * time.Hour, utc(t, "2027-09-20 10:00"), true},
		{"never open", never, utc(t, "2026-10-12 00:00"), time.Minute, time.Time{}, false},
		{"never open zero", never, utc(t, "2026-10-12 00:00"), 0, utc(t, "2026-10-12 00:00"), true},
		{"always open", AlwaysOpen(), utc(t, "2026-10-12 00:00"), 1000 * time.Hour, utc(t, "2026-10-12 00:00").Add(1000 * time.Hour), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.c.Add(tt.t, tt.d)
			if ok != tt.wantOK || !got.Equal(tt.want) {
				t.Fatalf("Add(%v, %v) = %v, %v; want %v, %v", tt.t, tt.d, got, ok, tt.want, tt.wantOK)
			}
			if ok && tt.d > 0 {
				if b := tt.c.Between(tt.t, got); b != tt.d {
					t.Errorf("Between(t, Add(t, d)) = %v, want %v", b, tt.d)
				}
			}
		})
	}
}

func TestBetween(t *testing.T) {
	off, nt := compile(t, office()), compile(t, night())
	ny := compile(t, sundays("America/New_York", "01:00", "04:00"))
	ber := compile(t, sundays("Europe/Berlin", "01:00", "04:00"))
	lh := compile(t, sundays("Australia/Lord_Howe", "01:00", "04:00"))
	overlapNextDay := compile(t, Schedule{TimeZone: "UTC", Weekly: Week{Fri: ivs("22:00", "06:00"), Sat: ivs("05:00", "12:00")}})
	tests := []struct {
		name     string
		c        *Calendar
		from, to time.Time
		want     time.Duration
	}{
		{"one day", off, at(t, sh, "2026-10-13 00:00"), at(t, sh, "2026-10-14 00:00"), 8 * time.Hour},
		{"partial", off, at(t, sh, "2026-10-13 11:00"), at(t, sh, "2026-10-13 14:00"), 2 * time.Hour},
		{"across weekend", off, at(t, sh, "2026-10-16 17:00"), at(t, sh, "2026-10-19 10:00"), 2 * time.Hour},
		{"full week", off, at(t, sh, "2026-10-12 00:00"), at(t, sh, "2026-10-19 00:00"), 40 * time.Hour},
		{"golden week with make-up saturday", off, at(t, sh, "2026-09-28 00:00"), at(t, sh, "2026-10-12 00:00"), 3*8*time.Hour + 9*time.Hour + 2*8*time.Hour},
		{"reversed", off, at(t, sh, "2026-10-14 00:00"), at(t, sh, "2026-10-13 00:00"), 0},
		{"empty", off, at(t, sh, "2026-10-13 10:00"), at(t, sh, "2026-10-13 10:00"), 0},
		{"night week", nt, utc(t, "2026-10-05 00:00"), utc(t, "2026-10-12 00:00"), 12 * time.Hour},
		{"night, saturday holiday", nt, utc(t, "2026-10-12 00:00"), utc(t, "2026-10-19 00:00"), 8 * time.Hour},
		{"night, friday holiday", nt, utc(t, "2026-10-19 00:00"), utc(t, "2026-10-26 00:00"), 4 * time.Hour},
		{"overlap counted once", overlapNextDay, utc(t, "2026-10-09 00:00"), utc(t, "2026-10-11 00:00"), 14 * time.Hour},
		{"ny spring forward", ny, utc(t, "2026-03-08 00:00"), utc(t, "2026-03-09 00:00"), 2 * time.Hour},
		{"ny fall back", ny, utc(t, "2026-11-01 00:00"), utc(t, "2026-11-02 00:00"), 4 * time.Hour},
		{"ny ordinary", ny, utc(t, "2026-03-15 00:00"), utc(t, "2026-03-16 00:00"), 3 * time.Hour},
		{"berlin spring forward", ber, utc(t, "2026-03-28 12:00"), utc(t, "2026-03-29 12:00"), 2 * time.Hour},
		{"berlin fall back", ber, utc(t, "2026-10-24 12:00"), utc(t, "2026-10-25 12:00"), 4 * time.Hour},
		{"lord howe spring forward", lh, utc(t, "2026-10-03 00:00"), utc(t, "2026-10-04 00:00"), 150 * time.Minute},
		{"lord howe fall back", lh, utc(t, "2026-04-04 00:00"), utc(t, "2026-04-05 00:00"), 210 * time.Minute},
		{"always open", AlwaysOpen(), utc(t, "2026-10-03 00:00"), utc(t, "2026-10-04 00:00"), 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.Between(tt.from, tt.to); got != tt.want {
				t.Errorf("Between(%v, %v) = %v, want %v", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

// TestBetweenLongSpan checks that absurd spans neither hang nor overflow.
func TestBetweenLongSpan(t *testing.T) {
	c := compile(t, office())
	from := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	got := c.Between(from, to)
	if got <= 0 || got > 100*365*24*time.Hour {
		t.Errorf("Between over 292 years = %v", got)
	}
}

func TestNeverOpen(t *testing.T) {
	c := compile(t, Schedule{TimeZone: "UTC"})
	now := utc(t, "2026-10-12 10:00")
	if c.IsOpen(now) {
		t.Error("IsOpen = true")
	}
	if _, ok := c.NextOpen(now); ok {
		t.Error("NextOpen ok")
	}
	if _, ok := c.NextClose(now); ok {
		t.Error("NextClose ok")
	}
	if _, ok := c.Add(now, time.Minute); ok {
		t.Error("Add ok")
	}
	if d := c.Between(now, now.Add(1000*time.Hour)); d != 0 {
		t.Errorf("Between = %v", d)
	}
}

// example is the JSON shape from the API documentation.
const example = `{"time_zone":"Asia/Shanghai","weekly":{"mon":[{"start":"09:00","end":"12:00"},{"start":"13:00","end":"18:00"}],"fri":[{"start":"22:00","end":"06:00"}]},"holidays":[{"date":"2026-10-01","name":"国庆节"},{"date":"2026-09-27","name":"调休","intervals":[{"start":"09:00","end":"18:00"}]}]}`

func TestJSON(t *testing.T) {
	want := Schedule{
		TimeZone: sh,
		Weekly:   Week{Mon: ivs("09:00", "12:00", "13:00", "18:00"), Fri: ivs("22:00", "06:00")},
		Holidays: []Holiday{
			{Date: "2026-10-01", Name: "国庆节"},
			{Date: "2026-09-27", Name: "调休", Intervals: ivs("09:00", "18:00")},
		},
	}
	var got Schedule
	if err := json.Unmarshal([]byte(example), &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Unmarshal = %+v\nwant %+v", got, want)
	}
	out, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != example {
		t.Errorf("Marshal =\n%s\nwant\n%s", out, example)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}

	empty, _ := json.Marshal(Schedule{TimeZone: "UTC"})
	if string(empty) != `{"time_zone":"UTC","weekly":{}}` {
		t.Errorf("empty schedule = %s", empty)
	}
	// An explicit empty intervals list is a closed holiday, like a missing one.
	var closed Schedule
	if err := json.Unmarshal([]byte(`{"time_zone":"UTC","weekly":{"sat":[{"start":"9:00","end":"10:00"}]},"holidays":[{"date":"2026-10-10","intervals":[]}]}`), &closed); err != nil {
		t.Fatal(err)
	}
	if c := compile(t, closed); c.IsOpen(utc(t, "2026-10-10 09:30")) || !c.IsOpen(utc(t, "2026-10-17 09:30")) {
		t.Error("empty intervals list did not close the holiday")
	}
}

func TestValidate(t *testing.T) {
	valid := func() Schedule {
		return Schedule{TimeZone: sh, Weekly: Week{Mon: ivs("09:00", "12:00", "13:00", "18:00")}}
	}
	many := func(n int) []Interval {
		out := make([]Interval, n)
		for i := range out {
			out[i] = iv(fmt.Sprintf("%02d:00", i), fmt.Sprintf("%02d:30", i))
		}
		return out
	}
	tests := []struct {
		name   string
		edit   func(*Schedule)
		field  string // "" means valid
		reason string // substring of Reason, if set
	}{
		{"valid", func(*Schedule) {}, "", ""},
		{"single-digit hour", func(s *Schedule) { s.Weekly.Tue = ivs("9:00", "9:30") }, "", ""},
		{"whole day", func(s *Schedule) { s.Weekly.Sun = ivs("00:00", "24:00") }, "", ""},
		{"ends at midnight as 00:00", func(s *Schedule) { s.Weekly.Sun = ivs("20:00", "00:00") }, "", ""},
		{"spanning overlaps next day", func(s *Schedule) { s.Weekly.Fri, s.Weekly.Sat = ivs("22:00", "06:00"), ivs("05:00", "12:00") }, "", ""},
		{"touching", func(s *Schedule) { s.Weekly.Tue = ivs("09:00", "12:00", "12:00", "13:00") }, "", ""},
		{"max intervals", func(s *Schedule) { s.Weekly.Thu = many(MaxIntervalsPerDay) }, "", ""},
		{"leap day", func(s *Schedule) { s.Holidays = []Holiday{{Date: "2028-02-29"}} }, "", ""},
		{"no zone", func(s *Schedule) { s.TimeZone = "" }, "time_zone", "required"},
		{"unknown zone", func(s *Schedule) { s.TimeZone = "Mars/Olympus" }, "time_zone", "Mars/Olympus"},
		{"local zone", func(s *Schedule) { s.TimeZone = "Local" }, "time_zone", ""},
		{"path zone", func(s *Schedule) { s.TimeZone = "../../etc/passwd" }, "time_zone", ""},
		{"long zone", func(s *Schedule) { s.TimeZone = strings.Repeat("A", 1000) }, "time_zone", ""},
		{"hour 25", func(s *Schedule) { s.Weekly.Mon[0].Start = "25:00" }, "weekly.mon[0].start", ""},
		{"minute 60", func(s *Schedule) { s.Weekly.Mon[1].End = "12:60" }, "weekly.mon[1].end", ""},
		{"letters", func(s *Schedule) { s.Weekly.Mon[0].Start = "abc" }, "weekly.mon[0].start", ""},
		{"empty time", func(s *Schedule) { s.Weekly.Mon[0].End = "" }, "weekly.mon[0].end", ""},
		{"seconds", func(s *Schedule) { s.Weekly.Mon[0].End = "10:00:00" }, "weekly.mon[0].end", ""},
		{"signed hour", func(s *Schedule) { s.Weekly.Mon[0].Start = "+9:00" }, "weekly.mon[0].start", ""},
		{"one-digit minute", func(s *Schedule) { s.Weekly.Mon[0].Start = "09:0" }, "weekly.mon[0].start", ""},
		{"start 24:00", func(s *Schedule) { s.Weekly.Wed = ivs("24:00", "01:00") }, "weekly.wed[0].start", ""},
		{"end 24:30", func(s *Schedule) { s.Weekly.Wed = ivs("23:00", "24:30") }, "weekly.wed[0].end", ""},
		{"start equals end", func(s *Schedule) { s.Weekly.Tue = ivs("09:00", "09:00") }, "weekly.tue[0].end", "differ"},
		{"start equals end, other spelling", func(s *Schedule) { s.Weekly.Tue = ivs("9:00", "09:00") }, "weekly.tue[0].end", ""},
		{"overlap", func(s *Schedule) { s.Weekly.Wed = ivs("09:00", "12:00", "11:00", "13:00") }, "weekly.wed[1]", "09:00–12:00"},
		{"overlap listed backwards", func(s *Schedule) { s.Weekly.Wed = ivs("11:00", "13:00", "09:00", "12:00") }, "weekly.wed[1]", "11:00–13:00"},
		{"same start", func(s *Schedule) { s.Weekly.Wed = ivs("08:00", "09:00", "10:00", "11:00", "10:00", "10:30") }, "weekly.wed[2]", ""},
		{"overlap in spanning", func(s *Schedule) { s.Weekly.Fri = ivs("22:00", "06:00", "23:00", "01:00") }, "weekly.fri[1]", ""},
		{"spanning over morning", func(s *Schedule) { s.Weekly.Fri = ivs("20:00", "10:00", "21:00", "22:00") }, "weekly.fri[1]", ""},
		{"too many intervals", func(s *Schedule) { s.Weekly.Thu = many(MaxIntervalsPerDay + 1) }, "weekly.thu", "at most 8"},
		{"sunday reported", func(s *Schedule) { s.Weekly.Sun = ivs("x", "y") }, "weekly.sun[0].start", ""},
		{"bad month", func(s *Schedule) { s.Holidays = []Holiday{{Date: "2026-13-01"}} }, "holidays[0].date", ""},
		{"bad day", func(s *Schedule) { s.Holidays = []Holiday{{Date: "2026-02-30"}} }, "holidays[0].date", ""},
		{"not a leap year", func(s *Schedule) { s.Holidays = []Holiday{{Date: "2026-02-29"}} }, "holidays[0].date", ""},
		{"short date", func(s *Schedule) { s.Holidays = []Holiday{{Date: "2026-10-1"}} }, "holidays[0].date", ""},
		{"signed year", func(s *Schedule) { s.Holidays = []Holiday{{Date: "+026-10-01"}} }, "holidays[0].date", ""},
		{"date with time", func(s *Schedule) { s.Holidays = []Holiday{{Date: "2026-10-01T00:00:00Z"}} }, "holidays[0].date", ""},
		{"missing date", func(s *Schedule) { s.Holidays = []Holiday{{Name: "x"}} }, "holidays[0].date", ""},
		{"duplicate date", func(s *Schedule) {
			s.Holidays = []Holiday{{Date: "2026-10-01"}, {Date: "2026-10-02"}, {Date: "2026-10-01"}}
		}, "holidays[2].date", "holidays[0]"},
		{"long name", func(s *Schedule) { s.Holidays = []Holiday{{Date: "2026-10-01", Name: strings.Repeat("节", 101)}} }, "holidays[0].name", ""},
		{"bad holiday interval", func(s *Schedule) {
			s.Holidays = []Holiday{{Date: "2026-10-01", Intervals: ivs("09:00", "10:00", "11:00", "1100")}}
		}, "holidays[0].intervals[1].end", ""},
		{"holiday overlap", func(s *Schedule) {
			s.Holidays = []Holiday{{Date: "2026-10-01", Intervals: ivs("09:00", "10:00", "09:30", "11:00")}}
		}, "holidays[0].intervals[1]", ""},
		{"too many holiday intervals", func(s *Schedule) {
			s.Holidays = []Holiday{{Date: "2026-10-01", Intervals: many(9)}}
		}, "holidays[0].intervals", ""},
		{"too many holidays", func(s *Schedule) {
			start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			for i := range MaxHolidays + 1 {
				s.Holidays = append(s.Holidays, Holiday{Date: start.AddDate(0, 0, i).Format(time.DateOnly)})
			}
		}, "holidays", "at most 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := valid()
			tt.edit(&s)
			err := s.Validate()
			_, cerr := Compile(s)
			if (err == nil) != (cerr == nil) {
				t.Fatalf("Validate = %v but Compile = %v", err, cerr)
			}
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Validate = %v, want a *FieldError for %s", err, tt.field)
			}
			if fe.Field != tt.field || !strings.Contains(fe.Reason, tt.reason) || fe.Reason == "" {
				t.Errorf("Validate = %q / %q, want field %q, reason containing %q", fe.Field, fe.Reason, tt.field, tt.reason)
			}
			if err.Error() != fe.Field+": "+fe.Reason {
				t.Errorf("Error() = %q", err.Error())
			}
		})
	}
}

// TestResolveConsistent pins the wall-time rule of the package comment against
// zones with both offset signs, where bare time.Date disagrees with itself.
func TestResolveConsistent(t *testing.T) {
	tests := []struct {
		zone, date string
		minute     int32
		want       string // RFC 3339 UTC
	}{
		{"America/New_York", "2026-03-08", 150, "2026-03-08T07:00:00Z"}, // 02:30 skipped → 03:00 EDT
		{"Europe/Berlin", "2026-03-29", 150, "2026-03-29T01:00:00Z"},    // 02:30 skipped → 03:00 CEST
		{"America/New_York", "2026-11-01", 90, "2026-11-01T05:30:00Z"},  // 01:30 twice → EDT
		{"Europe/Berlin", "2026-10-25", 150, "2026-10-25T00:30:00Z"},    // 02:30 twice → CEST
		{"Australia/Lord_Howe", "2026-10-04", 135, "2026-10-03T15:30:00Z"},
		{"Australia/Lord_Howe", "2026-04-05", 105, "2026-04-04T14:45:00Z"}, // 01:45 twice → +11
		{"Asia/Kolkata", "2026-10-01", 0, "2026-09-30T18:30:00Z"},
		{"Asia/Shanghai", "2026-10-01", 1440 + 60, "2026-10-01T17:00:00Z"}, // next day 01:00
	}
	for _, tt := range tests {
		c := compile(t, Schedule{TimeZone: tt.zone})
		day, _ := parseDate(tt.date)
		if got := c.resolve(day, tt.minute).UTC().Format(time.RFC3339); got != tt.want {
			t.Errorf("%s %s +%dmin = %s, want %s", tt.zone, tt.date, tt.minute, got, tt.want)
		}
	}
}

func TestCivilDays(t *testing.T) {
	for _, d := range []time.Time{
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC),
		time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-400, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC),
	} {
		want := d.Unix() / 86400
		if d.Unix() < 0 && d.Unix()%86400 != 0 {
			want--
		}
		if got := civilDays(d.Date()); got != want {
			t.Errorf("civilDays(%v) = %d, want %d", d, got, want)
		}
		if got := weekday(want); got != d.Weekday() {
			t.Errorf("weekday(%v) = %v, want %v", d, got, d.Weekday())
		}
	}
}

// fuzzSeeds are schedules for FuzzSchedule; they run as part of go test.
var fuzzSeeds = []string{
	example,
	`{"time_zone":"America/New_York","weekly":{"sun":[{"start":"01:00","end":"04:00"},{"start":"02:30","end":"03:15"}],"sat":[{"start":"23:30","end":"02:30"}]}}`,
	`{"time_zone":"Europe/Berlin","weekly":{"sun":[{"start":"02:00","end":"02:30"},{"start":"02:45","end":"01:00"}]}}`,
	`{"time_zone":"Australia/Lord_Howe","weekly":{"sun":[{"start":"1:45","end":"2:15"}],"sat":[{"start":"22:00","end":"1:50"}]}}`,
	`{"time_zone":"UTC","weekly":{"fri":[{"start":"22:00","end":"06:00"}],"sat":[{"start":"05:00","end":"12:00"}]},"holidays":[{"date":"2026-10-17"}]}`,
	`{"time_zone":"Asia/Kolkata","weekly":{"mon":[{"start":"00:00","end":"24:00"}],"tue":[{"start":"00:00","end":"24:00"}],"wed":[{"start":"00:00","end":"24:00"}],"thu":[{"start":"00:00","end":"24:00"}],"fri":[{"start":"00:00","end":"24:00"}],"sat":[{"start":"00:00","end":"24:00"}],"sun":[{"start":"00:00","end":"24:00"}]}}`,
	`{"time_zone":"Pacific/Apia","weekly":{"fri":[{"start":"09:00","end":"17:00"}]},"holidays":[{"date":"2011-12-30","intervals":[{"start":"10:00","end":"09:00"}]}]}`,
	`{"time_zone":"UTC"}`,
	`{"time_zone":"Mars/Olympus"}`,
	`{"time_zone":"UTC","weekly":{"mon":[{"start":"25:00","end":"1:00"}]}}`,
	`{"time_zone":"UTC","holidays":[{"date":"2026-02-30"}]}`,
	`{"weekly":null,"holidays":[null]}`,
	`[]`,
	``,
}

func FuzzSchedule(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add([]byte(s), int64(i)*987654321, int64(i)*1234)
	}
	f.Add([]byte(fuzzSeeds[1]), int64(1772949600), int64(121)) // 2026-03-08 06:00Z
	f.Add([]byte(fuzzSeeds[2]), int64(1792886400), int64(45))  // 2026-10-25 00:00Z
	base := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)
	const span = 80 * 365 * 24 * 3600 // keep t in the era zone data describes well
	f.Fuzz(func(t *testing.T, data []byte, sec, mins int64) {
		var s Schedule
		if json.Unmarshal(data, &s) != nil {
			return
		}
		verr := s.Validate()
		c, cerr := Compile(s)
		if (verr == nil) != (cerr == nil) {
			t.Fatalf("Validate = %v but Compile = %v", verr, cerr)
		}
		if verr != nil {
			var fe *FieldError
			if !errors.As(verr, &fe) || fe.Field == "" || fe.Reason == "" {
				t.Fatalf("Validate = %#v, want a *FieldError", verr)
			}
			return
		}
		tm := base.Add(time.Duration(((sec%span)+span)%span) * time.Second).Add(time.Duration(mins%1000) * time.Millisecond)
		d := time.Duration(((mins%(90*24*60))+90*24*60)%(90*24*60)+1) * time.Minute

		checkInvariants(t, c, tm, d)
	})
}

// checkInvariants asserts what every query must agree on at tm.
func checkInvariants(t *testing.T, c *Calendar, tm time.Time, d time.Duration) {
	t.Helper()
	open := c.IsOpen(tm)
	if x, ok := c.NextOpen(tm); ok {
		if x.Before(tm) || !c.IsOpen(x) || x.Equal(tm) != open {
			t.Fatalf("NextOpen(%v) = %v; open at t %v, open at x %v", tm, x, open, c.IsOpen(x))
		}
		if x.After(tm) && c.IsOpen(x.Add(-time.Nanosecond)) {
			t.Fatalf("NextOpen(%v) = %v but open just before", tm, x)
		}
	} else if open {
		t.Fatalf("NextOpen(%v) false while open", tm)
	}
	if y, ok := c.NextClose(tm); ok {
		if !open || !y.After(tm) || c.IsOpen(y) || !c.IsOpen(y.Add(-time.Nanosecond)) {
			t.Fatalf("NextClose(%v) = %v; open at t %v, at y %v", tm, y, open, c.IsOpen(y))
		}
		if b := c.Between(tm, y); b != y.Sub(tm) {
			t.Fatalf("Between(t, NextClose) = %v, want %v", b, y.Sub(tm))
		}
	}
	if z, ok := c.Add(tm, d); ok {
		if !z.After(tm) {
			t.Fatalf("Add(%v, %v) = %v, not after t", tm, d, z)
		}
		if b := c.Between(tm, z); b != d {
			t.Fatalf("Between(t, Add(t, %v)) = %v", d, b)
		}
	}
	if b := c.Between(tm, tm.Add(d)); b < 0 || b > d {
		t.Fatalf("Between(t, t+%v) = %v", d, b)
	}
}

// fuzzZones have unusual transitions: half-hour and two-hour DST, negative DST,
// transitions at midnight, a skipped calendar day, and no DST at all.
var fuzzZones = []string{
	"America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata",
	"Asia/Shanghai", "UTC", "Pacific/Apia", "America/Havana", "America/Santiago",
	"America/Sao_Paulo", "Europe/Dublin", "Antarctica/Troll", "Africa/Casablanca",
	"Asia/Gaza", "America/St_Johns", "Pacific/Kiritimati",
}

// FuzzCalendar builds valid schedules directly and aims t at zone transitions,
// which random JSON in FuzzSchedule seldom reaches.
func FuzzCalendar(f *testing.F) {
	f.Add(uint8(0), uint16(60), uint16(240), uint16(150), uint16(60), uint8(0xff), int64(1772949600), int64(1))
	f.Add(uint8(1), uint16(150), uint16(165), uint16(1380), uint16(150), uint8(0x81), int64(1792886400), int64(3))
	f.Add(uint8(2), uint16(120), uint16(150), uint16(90), uint16(100), uint8(0x41), int64(1775300000), int64(5))
	f.Add(uint8(7), uint16(0), uint16(60), uint16(1410), uint16(1440), uint8(0x7f), int64(1700000000), int64(7))
	base := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)
	const span = 80 * 365 * 24 * 3600
	f.Fuzz(func(t *testing.T, zone uint8, a, b, c, d uint16, days uint8, sec, mins int64) {
		ivA := iv(clock(a%1440), clock(b%1441))
		ivB := iv(clock(c%1440), clock(d%1441))
		s := Schedule{TimeZone: fuzzZones[int(zone)%len(fuzzZones)]}
		for wd := range 7 {
			if days&(1<<wd) != 0 {
				*weekPtr(&s.Weekly, time.Weekday(wd)) = []Interval{ivA, ivB}
			}
		}
		tm := base.Add(time.Duration(((sec%span)+span)%span) * time.Second)
		if mins&1 != 0 { // just before the next transition
			if _, end := tm.In(mustLoad(t, s.TimeZone)).ZoneBounds(); !end.IsZero() {
				tm = end.Add(-time.Duration((mins>>1)%(36*60)) * time.Minute)
			}
		}
		if days&0x80 != 0 {
			local := tm.In(mustLoad(t, s.TimeZone))
			s.Holidays = []Holiday{{Date: local.Format(time.DateOnly), Intervals: []Interval{ivB}}}
		}
		cal, err := Compile(s)
		if err != nil {
			return // overlapping or empty intervals
		}
		dur := time.Duration(((mins%(30*24*60))+30*24*60)%(30*24*60)+1) * time.Minute
		checkInvariants(t, cal, tm, dur)
	})
}

func clock(m uint16) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

func weekPtr(w *Week, d time.Weekday) *[]Interval {
	return [...]*[]Interval{&w.Sun, &w.Mon, &w.Tue, &w.Wed, &w.Thu, &w.Fri, &w.Sat}[d]
}

func mustLoad(t testing.TB, zone string) *time.Location {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func BenchmarkIsOpen(b *testing.B) {
	c := compile(b, office())
	now := at(b, sh, "2026-10-13 10:00")
	b.ReportAllocs()
	for b.Loop() {
		c.IsOpen(now)
	}
}

func BenchmarkIsOpenNewYork(b *testing.B) {
	day := ivs("09:00", "17:00")
	c := compile(b, Schedule{TimeZone: "America/New_York", Weekly: Week{Mon: day, Tue: day, Wed: day, Thu: day, Fri: day}})
	now := utc(b, "2026-10-13 14:00")
	b.ReportAllocs()
	for b.Loop() {
		c.IsOpen(now)
	}
}

func BenchmarkNextOpen(b *testing.B) {
	c := compile(b, office())
	now := at(b, sh, "2026-10-16 18:30") // Friday evening: opens Monday
	b.ReportAllocs()
	for b.Loop() {
		c.NextOpen(now)
	}
}

func BenchmarkAdd(b *testing.B) {
	c := compile(b, office())
	now := at(b, sh, "2026-10-16 17:00")
	b.ReportAllocs()
	for b.Loop() {
		c.Add(now, 8*time.Hour) // Friday 17:00 + one working day, over the weekend
	}
}

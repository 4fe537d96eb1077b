package hours

import (
	"math"
	"time"
)

// HorizonDays bounds how far NextOpen, NextClose and Add look past their
// starting instant, in local days. A year and a day covers any annual holiday
// pattern; beyond that an answer would be meaningless for routing or SLAs.
const HorizonDays = 366

// Calendar is a compiled Schedule, safe for concurrent use. Times returned by its
// methods are in the location of the time passed in, so they print and compare
// like the caller's own times.
//
// A nil or zero Calendar is open around the clock, like AlwaysOpen, so a team
// without configured hours needs no special case.
type Calendar struct {
	loc      *time.Location   // nil: open around the clock
	weekly   [7][]span        // by time.Weekday, sorted by start
	holidays map[int64][]span // by civilDays; an empty list means closed all day
}

// AlwaysOpen returns a calendar that is open at every instant: NextClose never
// finds a close and Add is plain time arithmetic.
func AlwaysOpen() *Calendar { return &Calendar{} }

func (c *Calendar) open247() bool { return c == nil || c.loc == nil }

// Location is the zone the schedule's times are read in, for showing opening
// times to users.
func (c *Calendar) Location() *time.Location {
	if c.open247() {
		return time.UTC
	}
	return c.loc
}

// IsOpen reports whether t falls inside an open interval.
func (c *Calendar) IsOpen(t time.Time) bool {
	if c.open247() {
		return true
	}
	day := c.dayOf(t)
	// Only the previous day (through its midnight-spanning intervals) and t's own
	// day can cover t; the next day only in zones whose clock falls back across
	// midnight, which the start check below dismisses after one resolve.
	for x := day - 1; x <= day+1; x++ {
		for _, s := range c.rule(x) {
			if x < day && s.end <= minutesPerDay {
				continue // ends by the midnight that starts t's day
			}
			if c.resolve(x, s.start).After(t) {
				break
			}
			if c.resolve(x, s.end).After(t) {
				return true
			}
		}
	}
	return false
}

// NextOpen returns t if the calendar is open at t, else the next instant it
// opens. It reports false when it does not open within HorizonDays.
func (c *Calendar) NextOpen(t time.Time) (time.Time, bool) {
	if c.open247() {
		return t, true
	}
	day := c.dayOf(t)
	s := c.scan(day-1, day+HorizonDays+1)
	for {
		p, ok := s.raw()
		if !ok {
			return time.Time{}, false
		}
		if p.end.After(t) {
			if !p.start.After(t) {
				return t, true
			}
			return p.start.In(t.Location()), true
		}
	}
}

// NextClose returns when the open stretch containing t ends. Intervals that
// touch or overlap, including a midnight-spanning interval and the next day's
// interval starting at its end, form one stretch. It reports false when the
// calendar is closed at t, or when the stretch lasts beyond HorizonDays (as with
// AlwaysOpen); call IsOpen to tell the two apart.
func (c *Calendar) NextClose(t time.Time) (time.Time, bool) {
	if c.open247() {
		return time.Time{}, false
	}
	day := c.dayOf(t)
	s := c.scan(day-1, day+HorizonDays+1)
	for {
		p, complete, ok := s.next()
		if !ok {
			return time.Time{}, false
		}
		if p.end.After(t) {
			if p.start.After(t) || !complete {
				return time.Time{}, false
			}
			return p.end.In(t.Location()), true
		}
	}
}

// Add returns the earliest instant by which d of open time has passed since t:
// the due date of an SLA of d business time. Time outside the calendar's hours
// does not count, so from Friday 17:00 with hours until 18:00, two hours land
// one hour into Monday's hours. Add(t, 0) is t. It reports false for a negative
// d, or when the due date is further than HorizonDays away.
func (c *Calendar) Add(t time.Time, d time.Duration) (time.Time, bool) {
	switch {
	case d < 0:
		return time.Time{}, false
	case d == 0:
		return t, true
	case c.open247():
		return t.Add(d), true
	}
	day := c.dayOf(t)
	s := c.scan(day-1, day+HorizonDays+1)
	for {
		// An incomplete last period is open at least until its end, which is all
		// the arithmetic below relies on.
		p, _, ok := s.next()
		if !ok {
			return time.Time{}, false
		}
		if !p.end.After(t) {
			continue
		}
		a := p.start
		if a.Before(t) {
			a = t
		}
		avail := p.end.Sub(a)
		if d <= avail {
			return a.Add(d).In(t.Location()), true
		}
		d -= avail
	}
}

// Between returns the open time between from and to, or 0 if to is not after
// from. Its cost grows with the number of days between them; spans longer than
// the largest time.Duration (about 292 years) are cut there.
func (c *Calendar) Between(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	if lim := from.Add(math.MaxInt64); to.After(lim) {
		to = lim
	}
	if c.open247() {
		return to.Sub(from)
	}
	s := c.scan(c.dayOf(from)-1, c.dayOf(to)+2)
	var total time.Duration
	for {
		p, _, ok := s.next()
		if !ok || !p.start.Before(to) {
			return total
		}
		a, b := p.start, p.end
		if a.Before(from) {
			a = from
		}
		if b.After(to) {
			b = to
		}
		if b.After(a) {
			total += b.Sub(a)
		}
	}
}

// rule returns the intervals in force on a local day: its holiday's, else the
// weekday's.
func (c *Calendar) rule(day int64) []span {
	if h, ok := c.holidays[day]; ok {
		return h
	}
	return c.weekly[weekday(day)]
}

// dayOf returns t's local date as days since 1970-01-01.
func (c *Calendar) dayOf(t time.Time) int64 {
	y, m, d := t.In(c.loc).Date()
	return civilDays(y, m, d)
}

// resolve returns the first instant at which the local clock shows the given
// minute after midnight of day or later (see the package comment). Minutes past
// 1440 fall on the next day, which time.Date normalises.
func (c *Calendar) resolve(day int64, minute int32) time.Time {
	t := time.Date(1970, time.January, 1+int(day), 0, int(minute), 0, 0, c.loc)
	_, off := t.Zone()
	want := (day*minutesPerDay + int64(minute)) * 60 // wall clock as if UTC
	got := t.Unix() + int64(off)
	switch {
	case got < want:
		// The wall time was skipped and time.Date went back to before the
		// jump; the clock first reaches it at the jump, the end of t's zone period.
		if _, end := t.ZoneBounds(); !end.IsZero() {
			return end
		}
	case got > want:
		// Skipped, and time.Date went past the jump; that jump starts t's zone period.
		if start, _ := t.ZoneBounds(); !start.IsZero() {
			return start
		}
	default:
		// Valid, but after a fall-back the same wall time may have occurred
		// shortly before t's zone period began; prefer that first occurrence.
		start, _ := t.ZoneBounds()
		if start.IsZero() || t.Sub(start) >= 48*time.Hour {
			return t
		}
		_, prev := start.Add(-time.Second).Zone()
		if u := want - int64(prev); prev > off && u < start.Unix() {
			return time.Unix(u, 0).In(c.loc)
		}
	}
	return t
}

// period is one stretch of real time [start, end) during which the calendar is
// open.
type period struct{ start, end time.Time }

// scan walks the open periods of local days [day, end) in order of start, one
// day at a time. Starts never decrease: a day's intervals start before the next
// day's midnight and resolve is monotonic.
type scan struct {
	c        *Calendar
	day, end int64
	buf      [MaxIntervalsPerDay]period
	i, n     int
	look     period // the raw period next() read ahead, if has
	has      bool
}

func (c *Calendar) scan(day, end int64) scan { return scan{c: c, day: day, end: end} }

// raw returns the next interval's period, without merging.
func (s *scan) raw() (period, bool) {
	for s.i == s.n {
		if s.day >= s.end {
			return period{}, false
		}
		s.i, s.n = 0, 0
		for _, sp := range s.c.rule(s.day) {
			a, b := s.c.resolve(s.day, sp.start), s.c.resolve(s.day, sp.end)
			if a.Before(b) { // an interval wholly inside a skipped hour is empty
				s.buf[s.n] = period{a, b}
				s.n++
			}
		}
		s.day++
	}
	p := s.buf[s.i]
	s.i++
	return p, true
}

// next returns the next maximal open period, merging periods that touch or
// overlap. complete is false when the period may go on past the scanned days, so
// its end is only a lower bound.
func (s *scan) next() (p period, complete, ok bool) {
	if !s.has {
		if s.look, s.has = s.raw(); !s.has {
			return period{}, false, false
		}
	}
	p = s.look
	for {
		q, ok := s.raw()
		if !ok {
			s.has = false
			// Later days' periods start at or after their midnight.
			return p, p.end.Before(s.c.resolve(s.end, 0)), true
		}
		if q.start.After(p.end) {
			s.look = q
			return p, true, true
		}
		if q.end.After(p.end) {
			p.end = q.end
		}
	}
}

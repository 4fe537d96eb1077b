// Command chatload drives a running kefu like a busy website: N visitors on the web
// widget's WebSocket each send M messages while agents' consoles receive them live on
// /api/v1/realtime. It signs up its own tenant through the public API, so it runs
// against any kefu:
//
//	go run ./bench/chatload -addr http://127.0.0.1:8080 -visitors 200 -messages 20
//
// It reports accepted messages per second (acknowledged by kefu, i.e. durably stored),
// visitor-send → agent-receive latency percentiles, lost and duplicated messages and,
// when kefu and PostgreSQL run on this machine, their CPU seconds per message and
// kefu's peak RSS. The last line is one JSON object. -warmup D adds the latency
// percentiles of the messages sent after D (a fresh server's first seconds are not its
// steady state); -timeline prints them per second of sending.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
)

type options struct {
	addr     string
	visitors int
	messages int
	agents   int
	interval time.Duration
	ramp     time.Duration
	timeline bool
	warmup   time.Duration
	wait     time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.addr, "addr", "http://127.0.0.1:8080", "kefu's base URL")
	flag.IntVar(&o.visitors, "visitors", 200, "concurrent visitors (widget WebSockets)")
	flag.IntVar(&o.messages, "messages", 20, "messages each visitor sends")
	flag.IntVar(&o.agents, "agents", 2, "agent consoles receiving every message live")
	flag.DurationVar(&o.interval, "interval", 0, "pause between a visitor's messages (0: send the next as soon as the last is acknowledged)")
	flag.DurationVar(&o.ramp, "ramp", 2*time.Second, "spread the visitors' first messages over this long")
	flag.DurationVar(&o.wait, "wait", 30*time.Second, "how long to wait for stragglers after the last send")
	flag.DurationVar(&o.warmup, "warmup", 0, "also report steady_p50_ms/steady_p99_ms over messages sent after this long")
	flag.BoolVar(&o.timeline, "timeline", false, "also print p50/p99/max per second of sending to stderr (where the tail comes from)")
	flag.Parse()
	if o.visitors < 1 || o.messages < 1 || o.agents < 1 {
		fmt.Fprintln(os.Stderr, "chatload: -visitors, -messages and -agents must be at least 1")
		os.Exit(2)
	}
	r, err := run(context.Background(), o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "chatload:", err)
		os.Exit(1)
	}
	b, _ := json.Marshal(r)
	fmt.Println(string(b))
}

// Result is the JSON line.
type Result struct {
	Visitors     int     `json:"visitors"`
	Messages     int     `json:"messages"`
	Agents       int     `json:"agents"`
	Acked        int     `json:"acked"`
	Errors       int     `json:"errors"`
	AcceptedPerS float64 `json:"accepted_per_s"`
	P50          float64 `json:"p50_ms"`
	P95          float64 `json:"p95_ms"`
	P99          float64 `json:"p99_ms"`
	Max          float64 `json:"max_ms"`
	// With -warmup: the same percentiles over messages sent after the warm-up (a
	// fresh server's first seconds: new visitors' first messages, connection pools
	// filling, PostgreSQL analysing tables that were empty).
	WarmupS       *float64 `json:"warmup_s,omitempty"`
	SteadyP50     *float64 `json:"steady_p50_ms,omitempty"`
	SteadyP99     *float64 `json:"steady_p99_ms,omitempty"`
	AckP99        float64  `json:"ack_p99_ms"`
	Lost          int      `json:"lost"`
	Duplicated    int      `json:"duplicated"`
	Resyncs       int64    `json:"resyncs"`
	KefuCPUPerMsg float64  `json:"kefu_cpu_ms_per_msg"`
	PGCPUPerMsg   float64  `json:"pg_cpu_ms_per_msg"`
	KefuPeakRSSMB float64  `json:"kefu_peak_rss_mb"`
	Seconds       float64  `json:"seconds"`
}

type client struct {
	base string
	http *http.Client
}

func (c client) do(method, path, token string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

func wsURL(base, path string) string {
	return "ws" + strings.TrimPrefix(base, "http") + path
}

// tracker pairs sends with receipts.
type tracker struct {
	mu       sync.Mutex
	sent     map[string]time.Time
	got      map[string]int // receipts per message (over all agent sockets)
	lat      []float64
	ackLat   []float64
	bySecond map[int][]float64 // latencies by the second (since the first send) they were sent in
	warmup   time.Duration
	steady   []float64 // latencies of messages sent after warmup
	acked    int
	errors   int
	firstAt  time.Time
	lastAck  time.Time
	expected int // receipts per message: one per agent socket
}

func (t *tracker) send(id string, at time.Time) {
	t.mu.Lock()
	t.sent[id] = at
	if t.firstAt.IsZero() || at.Before(t.firstAt) {
		t.firstAt = at
	}
	t.mu.Unlock()
}

func (t *tracker) ack(id string, at time.Time, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !ok {
		t.errors++
		return
	}
	t.acked++
	t.ackLat = append(t.ackLat, float64(at.Sub(t.sent[id]).Microseconds())/1000)
	if at.After(t.lastAck) {
		t.lastAck = at
	}
}

func (t *tracker) receive(id string, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s, ok := t.sent[id]
	if !ok {
		return // not ours
	}
	t.got[id]++
	if t.got[id] <= t.expected {
		ms := float64(at.Sub(s).Microseconds()) / 1000
		t.lat = append(t.lat, ms)
		if t.warmup > 0 && s.Sub(t.firstAt) >= t.warmup {
			t.steady = append(t.steady, ms)
		}
		if t.bySecond != nil {
			sec := int(s.Sub(t.firstAt).Seconds())
			t.bySecond[sec] = append(t.bySecond[sec], ms)
		}
	}
}

func (t *tracker) received() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, c := range t.got {
		n += min(c, t.expected)
	}
	return n
}

func run(ctx context.Context, o options) (Result, error) {
	c := client{base: strings.TrimRight(o.addr, "/"), http: &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 256}}}
	stamp := strconv.FormatInt(time.Now().UnixNano(), 36)
	var su struct {
		AccessToken string `json:"access_token"`
		Tenant      struct {
			ID string `json:"id"`
		} `json:"tenant"`
	}
	if err := c.do("POST", "/api/v1/signup", "", map[string]string{"tenant_name": "chatload " + stamp, "name": "Load Agent",
		"email": "agent-" + stamp + "@chatload.test", "password": "chatload passphrase " + stamp}, &su); err != nil {
		return Result{}, fmt.Errorf("sign up: %w", err)
	}
	var ch struct {
		ID string `json:"id"`
	}
	if err := c.do("POST", "/api/v1/tenants/"+su.Tenant.ID+"/channels", su.AccessToken,
		map[string]any{"connector": "web", "name": "Load site", "config": map[string]any{}}, &ch); err != nil {
		return Result{}, fmt.Errorf("create web channel: %w", err)
	}

	tr := &tracker{sent: map[string]time.Time{}, got: map[string]int{}, expected: o.agents, warmup: o.warmup}
	if o.timeline {
		tr.bySecond = map[int][]float64{}
	}
	var resyncs atomic.Int64
	// Agents' consoles.
	dialer := *websocket.DefaultDialer
	dialer.HandshakeTimeout = 30 * time.Second
	var agentConns []*websocket.Conn
	for i := 0; i < o.agents; i++ {
		conn, _, err := dialer.Dial(wsURL(c.base, "/api/v1/realtime?access_token="+su.AccessToken), nil)
		if err != nil {
			return Result{}, fmt.Errorf("agent socket: %w", err)
		}
		agentConns = append(agentConns, conn)
		ready := make(chan struct{})
		go func() {
			var once sync.Once
			for {
				_, b, err := conn.ReadMessage()
				if err != nil {
					once.Do(func() { close(ready) })
					return
				}
				now := time.Now()
				var f struct {
					Type    string `json:"type"`
					Message *struct {
						Text      string `json:"text"`
						Direction string `json:"direction"`
					} `json:"message"`
				}
				if json.Unmarshal(b, &f) != nil {
					continue
				}
				switch f.Type {
				case "ready":
					once.Do(func() { close(ready) })
				case "resync":
					resyncs.Add(1)
				case "message.created":
					if f.Message != nil && f.Message.Direction == "in" {
						tr.receive(f.Message.Text, now)
					}
				}
			}
		}()
		<-ready
	}
	defer func() {
		for _, a := range agentConns {
			_ = a.Close()
		}
	}()

	// Visitors: a session each, then a socket.
	type visitor struct {
		token string
		conn  *websocket.Conn
	}
	vs := make([]*visitor, o.visitors)
	var setup sync.WaitGroup
	var setupErr atomic.Value
	sem := make(chan struct{}, 32)
	for i := range vs {
		setup.Add(1)
		sem <- struct{}{}
		go func() {
			defer setup.Done()
			defer func() { <-sem }()
			var s struct {
				Token string `json:"token"`
			}
			if err := c.do("POST", "/widget/"+ch.ID+"/session", "", map[string]any{}, &s); err != nil {
				setupErr.Store(err)
				return
			}
			conn, _, err := dialer.Dial(wsURL(c.base, "/widget/"+ch.ID+"/ws?token="+s.Token), nil)
			if err != nil {
				setupErr.Store(err)
				return
			}
			vs[i] = &visitor{token: s.Token, conn: conn}
		}()
	}
	setup.Wait()
	if err, _ := setupErr.Load().(error); err != nil {
		return Result{}, fmt.Errorf("visitor setup: %w", err)
	}
	defer func() {
		for _, v := range vs {
			_ = v.conn.Close()
		}
	}()

	cpu0 := sampleCPU()
	peak := newPeakRSS()
	start := time.Now()
	var wg sync.WaitGroup
	for vi, v := range vs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			acks := make(chan struct {
				id string
				ok bool
			}, 4)
			go func() {
				for {
					_, b, err := v.conn.ReadMessage()
					if err != nil {
						close(acks)
						return
					}
					var f struct {
						Type     string `json:"type"`
						ClientID string `json:"client_id"`
					}
					if json.Unmarshal(b, &f) != nil {
						continue
					}
					if f.Type == "ack" || (f.Type == "error" && f.ClientID != "") {
						tr.ack("m:"+f.ClientID, time.Now(), f.Type == "ack")
						acks <- struct {
							id string
							ok bool
						}{f.ClientID, f.Type == "ack"}
					}
				}
			}()
			if o.ramp > 0 {
				time.Sleep(time.Duration(rand.Int64N(int64(o.ramp))))
			}
			for m := 0; m < o.messages; m++ {
				cid := fmt.Sprintf("%d-%d", vi, m)
				id := "m:" + cid
				tr.send(id, time.Now())
				if err := v.conn.WriteJSON(map[string]string{"type": "message", "client_id": cid, "text": id}); err != nil {
					tr.ack(id, time.Now(), false)
					return
				}
				select {
				case _, ok := <-acks:
					if !ok {
						return
					}
				case <-time.After(30 * time.Second):
					tr.ack(id, time.Now(), false)
				}
				if o.interval > 0 {
					time.Sleep(o.interval/2 + time.Duration(rand.Int64N(int64(o.interval))))
				}
			}
		}()
	}
	wg.Wait()
	sendEnd := time.Now()
	// Stragglers: wait until every acknowledged message reached every agent, or -wait.
	want := func() int { tr.mu.Lock(); defer tr.mu.Unlock(); return tr.acked * o.agents }
	for time.Since(sendEnd) < o.wait && tr.received() < want() {
		time.Sleep(50 * time.Millisecond)
	}
	elapsed := time.Since(start)
	cpu1 := sampleCPU()
	peak.stop()

	tr.mu.Lock()
	defer tr.mu.Unlock()
	r := Result{Visitors: o.visitors, Messages: o.visitors * o.messages, Agents: o.agents, Acked: tr.acked, Errors: tr.errors,
		Resyncs: resyncs.Load(), Seconds: round(elapsed.Seconds())}
	if span := tr.lastAck.Sub(tr.firstAt).Seconds(); span > 0 {
		r.AcceptedPerS = round(float64(tr.acked) / span)
	}
	sort.Float64s(tr.lat)
	sort.Float64s(tr.ackLat)
	if tr.bySecond != nil {
		secs := make([]int, 0, len(tr.bySecond))
		for sec := range tr.bySecond {
			secs = append(secs, sec)
		}
		sort.Ints(secs)
		for _, sec := range secs {
			l := tr.bySecond[sec]
			sort.Float64s(l)
			fmt.Fprintf(os.Stderr, "second %3d: %5d received, p50 %7.2f ms, p99 %7.2f ms, max %7.2f ms\n", sec, len(l), pct(l, 50), pct(l, 99), l[len(l)-1])
		}
	}
	r.P50, r.P95, r.P99 = pct(tr.lat, 50), pct(tr.lat, 95), pct(tr.lat, 99)
	if len(tr.lat) > 0 {
		r.Max = round(tr.lat[len(tr.lat)-1])
	}
	r.AckP99 = pct(tr.ackLat, 99)
	if o.warmup > 0 {
		sort.Float64s(tr.steady)
		w, p50, p99 := o.warmup.Seconds(), pct(tr.steady, 50), pct(tr.steady, 99)
		r.WarmupS, r.SteadyP50, r.SteadyP99 = &w, &p50, &p99
	}
	for id := range tr.sent {
		n := tr.got[id]
		if n < o.agents {
			r.Lost += o.agents - n
		}
		if n > o.agents {
			r.Duplicated += n - o.agents
		}
	}
	if tr.acked > 0 {
		r.KefuCPUPerMsg = round((cpu1.kefu - cpu0.kefu) * 1000 / float64(tr.acked))
		r.PGCPUPerMsg = round((cpu1.pg - cpu0.pg) * 1000 / float64(tr.acked))
	}
	r.KefuPeakRSSMB = round(peak.mb())
	return r, nil
}

func pct(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	i := int(float64(len(xs)-1) * p / 100)
	return round(xs[i])
}

func round(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

// ---- local process accounting (Linux /proc) ------------------------------------------

type cpu struct{ kefu, pg float64 }

const clockTicks = 100 // USER_HZ on Linux

// procs lists processes by command name.
func procs(names ...string) map[int]string {
	out := map[int]string{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "comm"))
		if err != nil {
			continue
		}
		comm := strings.TrimSpace(string(b))
		for _, n := range names {
			if comm == n {
				out[pid] = n
			}
		}
	}
	return out
}

func cpuSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+2:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (u + st) / clockTicks
}

// sampleCPU sums the CPU time of every kefu process (server and plugins) and every
// PostgreSQL backend on this machine. Backends that exit between samples are missed,
// which undercounts short connections; kefu keeps a pool, so that is rare.
func sampleCPU() cpu {
	var c cpu
	for pid, n := range procs("kefu", "postgres") {
		if n == "kefu" {
			c.kefu += cpuSeconds(pid)
		} else {
			c.pg += cpuSeconds(pid)
		}
	}
	return c
}

type peakRSS struct {
	done chan struct{}
	max  atomic.Int64 // kB
}

func newPeakRSS() *peakRSS {
	p := &peakRSS{done: make(chan struct{})}
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			var total int64
			for pid := range procs("kefu") {
				total += rssKB(pid)
			}
			if total > p.max.Load() {
				p.max.Store(total)
			}
			select {
			case <-p.done:
				return
			case <-t.C:
			}
		}
	}()
	return p
}

func (p *peakRSS) stop()       { close(p.done) }
func (p *peakRSS) mb() float64 { return float64(p.max.Load()) / 1024 }

func rssKB(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			return n
		}
	}
	return 0
}

// Command gmpbench: the Go twins of the one-shot Java workloads (bench/src/main/java/gmp/bench:
// Spawn, Parked, SleepFanOut, Preemption, Idle, Syscalls). Each run prints result lines in the format the Java
// programs print (gmp.bench.Result):
//
//	result <workload> <go version> <procs> <ops> <metric> <median> <sample,sample,...>
//
// Usage: gmpbench WORKLOAD PROCS N RUNS WARMUPS, WORKLOAD one of spawn, parked, sleep, preempt, idle, handoff, bracket;
// or gmpbench echoserver PROCS: the echo workload's server (see echoServer).
package main

import (
	"bufio"
	"fmt"
	"math"
	"net"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

func main() {
	if len(os.Args) == 3 && os.Args[1] == "echoserver" {
		echoServer(number(os.Args[2]))
		return
	}
	if len(os.Args) != 6 {
		fmt.Fprintln(os.Stderr, "usage: gmpbench WORKLOAD PROCS N RUNS WARMUPS")
		os.Exit(64)
	}
	workload := os.Args[1]
	procs, n, runs, warmups := number(os.Args[2]), number(os.Args[3]), number(os.Args[4]), number(os.Args[5])
	runtime.GOMAXPROCS(procs)
	var once func(n int) map[string]float64
	switch workload {
	case "spawn":
		once = spawn
	case "parked":
		once = parked
	case "sleep":
		once = sleep
	case "preempt":
		once = preempt
	case "idle":
		once = idle
	case "handoff":
		once = handoff
	case "bracket":
		once = bracket
	default:
		fmt.Fprintln(os.Stderr, "gmpbench: unknown workload", workload)
		os.Exit(64)
	}
	warmupSize := n
	if workload == "parked" {
		warmupSize = n/100 + 1 // as the JVMs do: warm-ups must not grow the heap the measured run starts from
	}
	if workload == "idle" && n > 1000 {
		warmupSize = 1000 // as the JVMs do: a second of idling first
	}
	for i := 0; i < warmups; i++ {
		runtime.GC()
		once(warmupSize)
	}
	samples := map[string][]float64{}
	var metrics []string
	for i := 0; i < runs; i++ {
		runtime.GC()
		for m, v := range once(n) {
			if samples[m] == nil {
				metrics = append(metrics, m)
			}
			samples[m] = append(samples[m], v)
		}
	}
	sort.Strings(metrics)
	for _, m := range metrics {
		var all []string
		for _, v := range samples[m] {
			all = append(all, format(v))
		}
		fmt.Printf("result\t%s\t%s\t%d\t%d\t%s\t%s\t%s\n", workload, runtime.Version(), procs, n, m,
			format(median(samples[m])), strings.Join(all, ","))
	}
}

// spawn: main starts n goroutines that only call wg.Done, and waits for them; ns per goroutine.
func spawn(n int) map[string]float64 {
	var wg sync.WaitGroup
	wg.Add(n)
	t0 := time.Now()
	for i := 0; i < n; i++ {
		go func() { wg.Done() }()
	}
	wg.Wait()
	return map[string]float64{"ns/op": float64(time.Since(t0).Nanoseconds()) / float64(n)}
}

// parked: n goroutines blocked on one channel at once; bytes per goroutine (managed memory after
// GC: heap objects plus goroutine stacks; and RSS), and the time from close until all have woken.
func parked(n int) map[string]float64 {
	heap0, rss0 := footprint()
	c := make(chan struct{})
	var woken sync.WaitGroup
	var arrived int64
	woken.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			atomic.AddInt64(&arrived, 1)
			<-c
			woken.Done()
		}()
	}
	for atomic.LoadInt64(&arrived) < int64(n) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // the last arrivals park
	heap1, rss1 := footprint()
	t0 := time.Now()
	close(c)
	woken.Wait()
	wake := time.Since(t0)
	return map[string]float64{
		"heap-bytes": float64(heap1-heap0) / float64(n),
		"rss-bytes":  float64(rss1-rss0) / float64(n),
		"wake-ms":    float64(wake.Nanoseconds()) / 1e6,
	}
}

// sleep: n goroutines each sleep 10 times for 1 ms; the wall time until all are done.
func sleep(n int) map[string]float64 {
	var wg sync.WaitGroup
	wg.Add(n)
	t0 := time.Now()
	for i := 0; i < n; i++ {
		go func() {
			for j := 0; j < 10; j++ {
				time.Sleep(time.Millisecond)
			}
			wg.Done()
		}()
	}
	wg.Wait()
	return map[string]float64{"wall-ms": float64(time.Since(t0).Nanoseconds()) / 1e6}
}

// preempt: main starts a goroutine, then spins without calling anything that could yield; the
// time until the goroutine runs (sysmon's preemption), or +Inf when it has not after a second.
func preempt(int) map[string]float64 {
	var ranAt int64
	t0 := time.Now()
	start := t0.UnixNano()
	go func() { atomic.StoreInt64(&ranAt, time.Now().UnixNano()) }()
	deadline := t0.Add(time.Second)
	for i := 1; atomic.LoadInt64(&ranAt) == 0; i++ {
		if i&0xFFFF == 0 && time.Now().After(deadline) {
			return map[string]float64{"latency-ms": math.Inf(1)}
		}
	}
	return map[string]float64{"latency-ms": float64(atomic.LoadInt64(&ranAt)-start) / 1e6}
}

// footprint returns the managed memory in use after a GC (heap objects plus goroutine stacks,
// which Go keeps outside the heap) and the resident set size, in bytes.
func footprint() (uint64, uint64) {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc + m.StackInuse, rss()
}

func rss() uint64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			kb, _ := strconv.ParseUint(strings.Fields(line)[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

func median(s []float64) float64 {
	c := append([]float64(nil), s...)
	sort.Float64s(c)
	m := len(c) / 2
	if len(c)%2 == 1 {
		return c[m]
	}
	return (c[m-1] + c[m]) / 2
}

func format(v float64) string {
	if math.IsInf(v, 1) {
		return "inf"
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

func number(s string) int {
	v, err := strconv.Atoi(s)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gmpbench: not a number:", s)
		os.Exit(64)
	}
	return v
}

// idle: main sleeps n milliseconds and nothing else runs; the CPU time the process used meanwhile
// (user plus system, every thread: getrusage), in ms. Go's sysmon sleeps deeply while every P is idle.
func idle(n int) map[string]float64 {
	var before, after syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &before); err != nil {
		panic(err)
	}
	time.Sleep(time.Duration(n) * time.Millisecond)
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &after); err != nil {
		panic(err)
	}
	cpu := after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano()
	return map[string]float64{"cpu-ms": float64(cpu) / 1e6}
}

// handoff: GOMAXPROCS 1; a goroutine blocks 50 ms in a raw nanosleep (syscall.Syscall, which goes
// through entersyscall and exitsyscall) while main waits on the global run queue; the microseconds
// from the call's start until main runs again (sysmon retakes the P and hands it to another M).
// Two hand-offs, the second measured, as the Java twin does (there each run is a new runtime, whose
// first hand-off makes the Ms).
func handoff(int) map[string]float64 {
	var blockedAt, ran int64
	for round := 0; round < 2; round++ {
		atomic.StoreInt64(&blockedAt, 0)
		done := make(chan bool, 1)
		go func() {
			ts := syscall.Timespec{Nsec: 50 * 1000 * 1000}
			atomic.StoreInt64(&blockedAt, time.Now().UnixNano())
			syscall.Syscall(syscall.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&ts)), 0, 0)
			done <- true
		}()
		for atomic.LoadInt64(&blockedAt) == 0 {
			runtime.Gosched()
		}
		ran = time.Now().UnixNano()
		<-done
	}
	return map[string]float64{"latency-us": float64(ran-atomic.LoadInt64(&blockedAt)) / 1e3}
}

// bracket: the cost of entersyscall plus exitsyscall around a call that returns at once, in ns per
// call: n getpid calls through syscall.Syscall minus n through syscall.RawSyscall, which skips them.
func bracket(n int) map[string]float64 {
	t0 := time.Now()
	for i := 0; i < n; i++ {
		syscall.Syscall(syscall.SYS_GETPID, 0, 0, 0)
	}
	withBracket := time.Since(t0)
	t1 := time.Now()
	for i := 0; i < n; i++ {
		syscall.RawSyscall(syscall.SYS_GETPID, 0, 0, 0)
	}
	raw := time.Since(t1)
	return map[string]float64{"ns-per-call": float64(withBracket-raw) / float64(n)}
}

// echoServer: the echo workload's server (the Java twins are in gmp.bench.EchoServer), a goroutine
// per connection that reads into a 4 KiB buffer and writes back what it read. It listens on a free
// loopback port and prints "listening PORT"; then, on standard input, each line "mem" prints
// "mem HEAP RSS" (footprint after a GC: HeapAlloc + StackInuse, and VmRSS), and end of input ends
// the process, so that a parent that dies never leaves a server behind.
func echoServer(procs int) {
	runtime.GOMAXPROCS(procs)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "gmpbench echoserver:", err)
		os.Exit(1)
	}
	fmt.Printf("listening %d\n", ln.Addr().(*net.TCPAddr).Port)
	go func() {
		in := bufio.NewScanner(os.Stdin)
		for in.Scan() {
			if in.Text() == "mem" {
				heap, rss := footprint()
				fmt.Printf("mem %d %d\n", heap, rss)
			}
		}
		os.Exit(0)
	}()
	for {
		c, err := ln.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, "gmpbench echoserver:", err)
			os.Exit(1)
		}
		go func() {
			defer c.Close()
			buf := make([]byte, 4096)
			for {
				n, err := c.Read(buf)
				if err != nil {
					return
				}
				if _, err := c.Write(buf[:n]); err != nil {
					return
				}
			}
		}()
	}
}
